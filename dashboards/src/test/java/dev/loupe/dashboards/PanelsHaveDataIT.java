package dev.loupe.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.collector.CollectorUnavailableException;
import dev.loupe.collector.LoupeCollector;
import dev.loupe.drills.Agents;
import dev.loupe.drills.Alertmanager;
import dev.loupe.drills.Gateway;
import dev.loupe.drills.OtlpSink;
import dev.loupe.drills.Prometheus;
import dev.loupe.drills.Tools;
import dev.loupe.drills.Webhook;
import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.LoadGenerator;
import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every PromQL query of every generated panel, run against a real Prometheus fed the way production
 * feeds it: the three sample apps under the agent and the extension, exporting OTLP to the real gateway
 * Collector, which remote-writes to Prometheus (also scraping the Collector and the broker, and evaluating
 * alert-rules/rules unchanged). Under load, the faults the panels are about are switched on one after
 * another; every query must then return data, except the panels named in {@link #CANNOT_HAVE_DATA} with
 * the reason. Prometheus itself parsing every query (it refuses one it cannot parse) is part of the proof.
 *
 * <p>The queries come from {@code target/panel-queries.json}, written by {@code src/queries.js} from the
 * committed dashboards with Grafana's variables filled ({@code $__rate_interval} 1m, {@code $__range}
 * 1h, every query variable at its All value).
 */
class PanelsHaveDataIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long the faults' phases and the wait for data may take after the load starts. */
  private static final Duration DATA_DEADLINE = Duration.ofMinutes(4);

  private static final String DATABASE_UP = "not assured: no database is stopped in this run; the condition (requests "
      + "waiting, 5xx, a pool below its maximum) may hold all the same while statements are slowed and MES's pool leaks";

  /** Panels (dashboard uid / title) that this run cannot fill, or cannot be sure to, and why. */
  private static final Map<String, String> CANNOT_HAVE_DATA = cannotHaveData();

  /** Single queries (by a part of their text) that this run cannot fill, and why; the panel's other queries must. */
  private static final Map<String, String> QUERIES_WITHOUT_DATA = Map.of(
      "otelcol_exporter_send_failed_", "the Collector creates the counter at an exporter's first failure; sending "
          + "to the Tempo and Loki stand-ins and to Prometheus never fails in this run",
      "otelcol_exporter_enqueue_failed_", "the Collector creates the counter at the first item its full queue refuses; "
          + "the queues stay far from full",
      "otelcol_processor_memory_limiter_refused_", "the memory limiter creates the counter at its first refusal; the "
          + "Collector stays far below its limit");

  private static Map<String, String> cannotHaveData() {
    Map<String, String> m = new LinkedHashMap<>();
    String slowBurn = "the slow-burn windows need 12 or 36 hours of history (service:http_server_requests:present_12h_ago)";
    m.put("loupe-orders / ApiAvailabilityBurnRateSlow (shop-api)", slowBurn);
    m.put("loupe-orders / ApiAvailabilityBurnRateSlow (crm-api)", slowBurn);
    m.put("loupe-orders / ApiAvailabilityBurnRateSlow (mes-api)", slowBurn);
    m.put("loupe-orders / ApiLatencyBurnRateSlow (shop-api)", slowBurn);
    m.put("loupe-orders / ApiLatencyBurnRateSlow (crm-api)", slowBurn);
    m.put("loupe-orders / ApiLatencyBurnRateSlow (mes-api)", slowBurn);
    String noFailure = "no fault of this run makes this service answer 5xx or slowly (the faults are in the shop)";
    m.put("loupe-orders / ApiAvailabilityBurnRateFast (crm-api)", noFailure);
    m.put("loupe-orders / ApiAvailabilityBurnRateFast (mes-api)", "not assured: the MES faults of this run (pool leak, "
        + "slow consumer) come last and briefly, and may or may not fail 7.2 % of the hour's requests");
    m.put("loupe-orders / ApiAvailabilityBurnRateFast (shop-api)", "not assured: shop-controller-bug fails only orders "
        + "without an engraving, for 15 s, which may or may not be 7.2 % of the hour's shop requests");
    m.put("loupe-orders / ApiLatencyBurnRateFast (crm-api)", noFailure);
    m.put("loupe-orders / ApiLatencyBurnRateFast (shop-api)", "not assured: shop-db-slow, on from the last phase, may "
        + "or may not make 14.4 % of the hour's shop requests take over 1 s before the run ends (it did in one run "
        + "here, not in the next, on a machine with a load average of 25 to 50)");
    m.put("loupe-orders / ApiLatencyBurnRateFast (mes-api)", "not assured: the MES faults of this run come last and "
        + "briefly, and may or may not make 14.4 % of the hour's requests slow");
    m.put("loupe-orders / OrderErrorSwallowed (crm-api)", "the swallowed-error fault is the shop's (shop-save-swallowed)");
    m.put("loupe-orders / OrderErrorSwallowed (mes-api)", "the swallowed-error fault is the shop's (shop-save-swallowed)");
    String serviceDown = "no service is stopped: ServiceDown needs one silent for 3 minutes";
    for (String s : List.of("shop-api", "crm-api", "mes-api")) {
      m.put("loupe-orders / ServiceDown (" + s + ")", serviceDown);
      m.put("loupe-orders / DatabaseUnavailable (" + s + ")", DATABASE_UP);
    }
    m.put("loupe-apis / ServiceDown", serviceDown);
    m.put("loupe-databases / DatabaseUnavailable", DATABASE_UP);
    m.put("loupe-orders / DatabaseConnectionPoolExhausted (shop-api)", "not assured: the pool-leak fault of this run is "
        + "MES's; the shop's pool is exhausted only when its slowed statements (shop-db-slow) hold every connection");
    m.put("loupe-orders / DatabaseConnectionPoolExhausted (crm-api)", "the pool-leak fault of this run is MES's");
    m.put("loupe-orders / PriceCalculationOverdue", "the deadline is 45 minutes (2700 s); the run lasts minutes");
    m.put("loupe-price-calculation / PriceCalculationOverdue", "the deadline is 45 minutes (2700 s); the run lasts minutes");
    m.put("loupe-price-calculation / Overdue calculations per hour",
        "loupe_operation_overdue_total appears at the first overdue calculation, after 45 minutes");
    m.put("loupe-orders / RabbitmqQueueWithoutConsumers", "MES keeps consuming: no consumer is stopped in this run");
    m.put("loupe-messaging / RabbitmqQueueWithoutConsumers", "MES keeps consuming: no consumer is stopped in this run");
    m.put("loupe-orders / RabbitmqQueueGrowing", "needs a queue growing by 3 a minute to over 20 ready messages, "
        + "which the brief slow-consumer phase may or may not reach");
    m.put("loupe-messaging / RabbitmqQueueGrowing", "as on the overview");
    m.put("loupe-orders / OrderMessageDeadLettered", "the sample apps' queues have no dead-letter exchange: no "
        + "message is dead-lettered (reason dead_lettered)");
    m.put("loupe-orders / ApiClientErrorsHigh", "no request is refused as invalid (400, 409, 422) in this run: the "
        + "front-end fault, shop-lenient-ring-size, is refused by MES's order consumer, not over HTTP");
    m.put("loupe-orders / FrontendErrors", "no browser runs the front ends in this run; frontend-telemetry's browser "
        + "test feeds the series this alert reads");
    m.put("loupe-orders / OrdersUnaccounted", "the lost-order reconciler does not run in this run (reconciler/ tests "
        + "its metrics and these alerts' rules against its own runs)");
    m.put("loupe-pipeline / TelemetryPipelineDown", "the pipeline is up throughout the run");
    m.put("loupe-pipeline / TelemetryPipelineDroppingData", "the Collector drops nothing in this run");
    return m;
  }

  @Test
  void everyPanelsPromqlReturnsDataFromTheStackUnderItsFaults(@TempDir Path dir) throws Exception {
    List<PanelQuery> queries = promql();
    assertThat(queries).as("PromQL queries of the generated panels").hasSizeGreaterThan(100);
    Path collector;
    try {
      collector = LoupeCollector.binary();
    } catch (CollectorUnavailableException e) {
      Assumptions.abort("no Collector to run (neither Go nor LOUPE_OTELCOL): " + e.getMessage());
      return;
    }
    Path repository = Tools.repository();
    Path agent = repository.resolve("agent-extension/target/agent/opentelemetry-javaagent.jar");
    Path extension = repository.resolve("agent-extension/target/loupe-agent-extension.jar");
    assertThat(agent).as("the agent jar (copied by agent-extension's build)").exists();
    assertThat(extension).as("the extension jar (built by agent-extension)").exists();
    int prometheusPort = Tools.freePort();

    try (OtlpSink tempo = new OtlpSink().countOnly(); OtlpSink loki = new OtlpSink().countOnly();
        Webhook pager = new Webhook();
        Alertmanager alertmanager = Alertmanager.start(dir.resolve("alertmanager"), Alertmanager.secretsFor(pager))) {
      Gateway.Builder gateway = Gateway.builder(collector, dir.resolve("collector"))
          .backends(tempo.grpcEndpoint(), loki.httpEndpoint().resolve("/otlp"),
              URI.create("http://127.0.0.1:" + prometheusPort + "/api/v1/write"));
      try (Stack stack = Stack.builder(repository)
          .workDir(repository.resolve("dashboards/target/stack-" + ProcessHandle.current().pid()))
          .calculation(Duration.ofMillis(200))
          .historyOrders(500)
          .progress(line -> System.out.println("[stack] " + line))
          .jvmOptions(s -> Agents.otlp(agent, extension, repository, s, gateway.otlpHttp(), List.of()))
          .start();
          Gateway g = gateway.scrapeTargets(stack.url(Service.MES).getAuthority(),
              "127.0.0.1:" + stack.broker().metricsPort()).start();
          Prometheus prometheus = Prometheus.start(dir.resolve("prometheus"),
              Prometheus.shippedConfig(alertmanager, gateway.metricsTarget(), prometheusPort), prometheusPort)) {
        run(stack, prometheus, queries);
      }
    }
  }

  private static void run(Stack stack, Prometheus prometheus, List<PanelQuery> queries) throws Exception {
    // Prometheus parses every query before any data is there: a query it refuses throws here
    for (PanelQuery q : queries) {
      prometheus.query(q.query());
    }
    long start = System.nanoTime();
    ExecutorService load = Executors.newSingleThreadExecutor();
    Set<PanelQuery> seen = new LinkedHashSet<>();
    try {
      Future<LoadGenerator.Summary> summary = load.submit(() -> new LoadGenerator(stack.client(),
          new LoadGenerator.Settings(4, Duration.ofMinutes(3), Duration.ZERO, false, 2, true), System.out).run());
      // one fault after another, each long enough for its series to appear (scrapes and remote writes every 2 s)
      phase(stack, prometheus, queries, seen, Duration.ofSeconds(25), Fault.CRM_UNROUTABLE);
      phase(stack, prometheus, queries, seen, Duration.ofSeconds(20), Fault.MES_CONSUMER_REJECT);
      phase(stack, prometheus, queries, seen, Duration.ofSeconds(15), Fault.SHOP_SAVE_SWALLOWED);
      phase(stack, prometheus, queries, seen, Duration.ofSeconds(15), Fault.SHOP_CONTROLLER_BUG, Fault.SHOP_LENIENT_RING_SIZE);
      phase(stack, prometheus, queries, seen, Duration.ofSeconds(15), Fault.SHOP_S3_REJECTED);
      // before the pool leak, which soon leaves the orders page no connection to repeat statements on
      phase(stack, prometheus, queries, seen, Duration.ofSeconds(20), Fault.MES_ORDERS_PAGE_N_PLUS_ONE);
      // the slow and stuck ones last, together, and kept on while the remaining queries are awaited
      for (Fault f : List.of(Fault.SHOP_DB_SLOW, Fault.MES_CALCULATION_HANG, Fault.MES_CONSUMER_SLOW,
          Fault.MES_DB_POOL_LEAK)) {
        stack.fault(f, true);
      }
      Duration deadline = DATA_DEADLINE;
      while (Duration.ofNanos(System.nanoTime() - start).compareTo(deadline) < 0
          && !missing(queries, seen).isEmpty()) {
        look(prometheus, queries, seen);
        Thread.sleep(3_000);
      }
      summary.cancel(true);
    } finally {
      load.shutdownNow();
      stack.resetFaults();
    }
    System.out.printf("Queries with data: %d of %d after %d s%n", seen.size(), queries.size(),
        Duration.ofNanos(System.nanoTime() - start).toSeconds());
    for (PanelQuery q : queries) {
      String reason = reason(q);
      if (reason != null) {
        System.out.printf("  %s [%s]: %s (%s)%n", q.panelKey(), abbreviated(q.query()),
            seen.contains(q) ? "had data all the same" : "no data", reason);
      }
    }
    assertThat(missing(queries, seen)).as("panel queries that returned no data").isEmpty();
    Set<String> panels = new LinkedHashSet<>();
    queries.forEach(q -> panels.add(q.panelKey()));
    assertThat(CANNOT_HAVE_DATA.keySet()).as("panels named as empty that no dashboard has").allMatch(panels::contains);
  }

  private static void phase(Stack stack, Prometheus prometheus, List<PanelQuery> queries, Set<PanelQuery> seen,
      Duration length, Fault... faults) throws Exception {
    System.out.println("Faults on: " + List.of(faults));
    for (Fault f : faults) {
      stack.fault(f, true);
    }
    long end = System.nanoTime() + length.toNanos();
    while (System.nanoTime() < end) {
      look(prometheus, queries, seen);
      Thread.sleep(3_000);
    }
    for (Fault f : faults) {
      stack.fault(f, false);
    }
  }

  /** Runs every query not yet seen with data; some only have data while their fault is on. */
  private static void look(Prometheus prometheus, List<PanelQuery> queries, Set<PanelQuery> seen) throws Exception {
    for (PanelQuery q : queries) {
      if (!seen.contains(q) && !prometheus.query(q.query()).isEmpty()) {
        seen.add(q);
      }
    }
  }

  private static List<String> missing(List<PanelQuery> queries, Set<PanelQuery> seen) {
    List<String> out = new ArrayList<>();
    for (PanelQuery q : queries) {
      if (!seen.contains(q) && reason(q) == null) {
        out.add(q.panelKey() + ": " + q.query());
      }
    }
    return out;
  }

  private static String abbreviated(String query) {
    String flat = query.replaceAll("\\s+", " ");
    return flat.length() <= 100 ? flat : flat.substring(0, 97) + "...";
  }

  /** Why the run cannot fill this query, or null when it must. */
  private static String reason(PanelQuery q) {
    String reason = CANNOT_HAVE_DATA.get(q.panelKey());
    for (Map.Entry<String, String> e : QUERIES_WITHOUT_DATA.entrySet()) {
      if (reason == null && q.query().contains(e.getKey())) {
        reason = e.getValue();
      }
    }
    return reason;
  }

  /** The PromQL queries of target/panel-queries.json (variables filled by src/queries.js). */
  private static List<PanelQuery> promql() throws Exception {
    JsonNode all = JSON.readTree(Files.readString(Path.of(System.getProperty("loupe.dashboards.queries"))));
    List<PanelQuery> out = new ArrayList<>();
    for (JsonNode q : all) {
      if (q.path("language").asText().equals("promql")) {
        out.add(new PanelQuery(q.path("dashboard").asText(), q.path("panel").asText(), q.path("query").asText()));
      }
    }
    return out;
  }

  /** One query of one panel: {@code dashboard} is the uid, {@code query} PromQL with variables filled. */
  record PanelQuery(String dashboard, String panel, String query) {
    String panelKey() {
      return dashboard + " / " + panel;
    }
  }
}
