package dev.loupe.sample.mes;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.sample.faults.FaultSwitch;
import dev.loupe.sample.storage.ModelStore;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The legacy manufacturing execution system: wires its parts by hand, as it always has. */
public final class MesApplication {

  private static final Logger log = LoggerFactory.getLogger(MesApplication.class);

  private MesApplication() {}

  public static void main(String[] args) throws Exception {
    MesSettings settings;
    try {
      settings = MesSettings.load(System.getProperties(), System.getenv());
    } catch (IllegalArgumentException e) {
      log.error("MES cannot start: {}", e.getMessage());
      System.exit(2);
      return;
    }
    Deque<AutoCloseable> parts = new ArrayDeque<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAll(parts), "mes-shutdown"));

    ObjectMapper json = new ObjectMapper();
    FaultSwitch faults = new FaultSwitch("mes-api");
    MesDatabase db = push(parts, new MesDatabase(settings, faults));
    db.createSchema(settings.historyOrders());
    OrderBook orders = new OrderBook(db, faults);
    ModelStore models = push(parts, new ModelStore(settings.models()));
    LegacyMetrics metrics = new LegacyMetrics();
    Broker broker = push(parts, new Broker(settings));
    StatusPublisher status = new StatusPublisher(broker, json);
    PriceCalculator calculator = push(parts, new PriceCalculator(settings, orders, status, models, metrics, faults));
    metrics.watch(calculator::queued, calculator::running, orders);
    HttpApi http = push(parts, new HttpApi(settings, orders, metrics, status, faults, json));
    http.start();
    new OrderIntake(broker.channel(), json, orders, status, calculator, metrics, faults).start();
    log.info("MES API listening on {}:{}, pricing takes {}", settings.httpHost(), http.port(),
        settings.calculationDuration());
  }

  private static <T extends AutoCloseable> T push(Deque<AutoCloseable> parts, T part) {
    synchronized (parts) {
      parts.push(part);
    }
    return part;
  }

  private static void closeAll(Deque<AutoCloseable> parts) {
    synchronized (parts) {
      while (!parts.isEmpty()) {
        try {
          parts.pop().close();
        } catch (Exception e) {
          log.warn("while stopping", e);
        }
      }
    }
  }
}
