package dev.loupe.sample.mes;

import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.faults.FaultSwitch;
import dev.loupe.sample.storage.ModelStore;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prices orders from their 3D model, in the background: in production one calculation takes up to
 * half an hour, so the consumer only queues the work here.
 */
final class PriceCalculator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PriceCalculator.class);
  /** 18-carat gold, grams per cubic millimetre. */
  private static final double GOLD_DENSITY = 0.0156;
  private static final int CENTS_PER_GRAM = 6_000;

  private final OrderBook orders;
  private final StatusPublisher status;
  private final ModelStore models;
  private final LegacyMetrics metrics;
  private final FaultSwitch faults;
  private final Duration duration;
  private final ThreadPoolExecutor workers;
  private volatile CountDownLatch hangRelease = new CountDownLatch(1);

  PriceCalculator(MesSettings settings, OrderBook orders, StatusPublisher status, ModelStore models,
      LegacyMetrics metrics, FaultSwitch faults) {
    this.orders = orders;
    this.status = status;
    this.models = models;
    this.metrics = metrics;
    this.faults = faults;
    this.duration = settings.calculationDuration();
    AtomicInteger n = new AtomicInteger();
    int threads = Math.max(1, settings.calculationWorkers());
    this.workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, "price-calculation-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    faults.onChange(Fault.MES_CALCULATION_HANG, on -> {
      if (on) {
        hangRelease = new CountDownLatch(1);
      } else {
        hangRelease.countDown();
      }
    });
  }

  void submit(OrderBook.ReceivedOrder order) {
    workers.execute(() -> calculate(order));
  }

  int queued() {
    return workers.getQueue().size();
  }

  int running() {
    return workers.getActiveCount();
  }

  private void calculate(OrderBook.ReceivedOrder order) {
    String orderId = order.orderId();
    try {
      orders.setStatus(orderId, "CALCULATING", null);
      status.publish(orderId, "CALCULATING", null);
      if (faults.isOn(Fault.MES_CALCULATION_HANG)) {
        hangRelease.await(1, TimeUnit.HOURS);
      }
      double volume;
      try {
        volume = StlModel.volumeMm3(models.get(order.modelKey()));
      } catch (IllegalArgumentException e) {
        log.error("Order {} cannot be priced: its model is unreadable ({})", orderId, e.getMessage());
        orders.setStatus(orderId, "MODEL_REJECTED", null);
        status.publish(orderId, "MODEL_REJECTED", null);
        metrics.calculation("model_rejected");
        return;
      }
      if (faults.isOn(Fault.MES_CALCULATION_CRASH)) {
        throw new IllegalStateException("mesh repair failed: non-manifold edge in " + order.modelKey());
      }
      Thread.sleep(duration.toMillis());
      int price = order.basePriceCents() + (int) Math.round(volume * GOLD_DENSITY * CENTS_PER_GRAM);
      orders.setStatus(orderId, "PRICED", price);
      status.publish(orderId, "PRICED", price);
      metrics.calculation("priced");
      log.info("Order {} priced at {} cents ({} mm3 of metal)", orderId, price, Math.round(volume));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // the order keeps the status it had; nobody is told
      metrics.calculation("failed");
      log.error("Price calculation for order {} failed", orderId, e);
    }
  }

  @Override
  public void close() {
    hangRelease.countDown();
    workers.shutdownNow();
  }
}
