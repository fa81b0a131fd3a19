package dev.loupe.sample.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Customers placing orders at a steady rate, sellers confirming them, operators opening the orders
 * page and taking priced orders into work; then a wait for the orders still in flight, and a summary.
 */
public final class LoadGenerator {

  /** Statuses at which an order counts as completed: MES has priced it and told the shop. */
  public static final Set<String> COMPLETED = Set.of("PRICED", "IN_PRODUCTION");

  /** How hard and how long to push. */
  public record Settings(double ordersPerSecond, Duration duration, Duration drain, boolean sellersConfirm,
      double pageViewsPerSecond, boolean operatorsAssign) {
    public Settings {
      if (!(ordersPerSecond > 0 && ordersPerSecond <= 200)) {
        throw new IllegalArgumentException("the order rate must be above 0 and at most 200 per second");
      }
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("the duration must be positive");
      }
      if (drain.isNegative()) {
        throw new IllegalArgumentException("the drain time cannot be negative");
      }
      if (pageViewsPerSecond < 0 || pageViewsPerSecond > 100) {
        throw new IllegalArgumentException("the orders page rate must be between 0 and 100 per second");
      }
    }
  }

  /**
   * What became of the orders of one run.
   *
   * @param inFlightOrders every order still in flight at the end, by id, with the status the shop last
   *     showed for it (or NOT_IN_SHOP, UNKNOWN): the orders this run knows were lost or stranded
   */
  public record Summary(int placed, int completed, int failed, int inFlight, Map<String, Integer> inFlightByStatus,
      Map<String, String> inFlightOrders, int pageViews, long pageP50Millis, long pageP95Millis, Duration elapsed) {

    public String render() {
      StringBuilder s = new StringBuilder();
      s.append(String.format("placed %d, completed %d, failed %d, still in flight %d", placed, completed, failed,
          inFlight));
      if (!inFlightByStatus.isEmpty()) {
        s.append(' ').append(inFlightByStatus);
      }
      s.append(String.format("; orders page: %d views, p50 %d ms, p95 %d ms; %d s", pageViews, pageP50Millis,
          pageP95Millis, elapsed.toSeconds()));
      return s.toString();
    }
  }

  /** Where an order the run placed was last seen. */
  private static final String NOT_IN_SHOP = "NOT_IN_SHOP";

  private final PipelineClient client;
  private final Settings settings;
  private final PrintStream progress;
  private final Map<String, String> inFlight = new ConcurrentHashMap<>();
  private final AtomicInteger placed = new AtomicInteger();
  private final AtomicInteger completed = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final List<Long> pageNanos = Collections.synchronizedList(new ArrayList<>());

  public LoadGenerator(PipelineClient client, Settings settings, PrintStream progress) {
    this.client = client;
    this.settings = settings;
    this.progress = progress;
  }

  public Summary run() throws InterruptedException {
    long started = System.nanoTime();
    ExecutorService customers = Executors.newFixedThreadPool(8, daemon("customer"));
    ScheduledExecutorService clock = Executors.newScheduledThreadPool(3, daemon("loadgen"));
    try {
      long periodMicros = (long) (1_000_000 / settings.ordersPerSecond());
      clock.scheduleAtFixedRate(() -> customers.execute(this::placeOne), 0, periodMicros, TimeUnit.MICROSECONDS);
      if (settings.sellersConfirm()) {
        clock.scheduleWithFixedDelay(quietly(this::confirmWaiting), 500, 1000, TimeUnit.MILLISECONDS);
      }
      if (settings.pageViewsPerSecond() > 0) {
        clock.scheduleAtFixedRate(quietly(this::workOrdersPage), 200,
            (long) (1_000_000 / settings.pageViewsPerSecond()), TimeUnit.MICROSECONDS);
      }
      long end = started + settings.duration().toNanos();
      while (System.nanoTime() < end) {
        Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        track();
        report("load", started);
      }
      clock.shutdownNow();
      customers.shutdown();
      customers.awaitTermination(60, TimeUnit.SECONDS);
      // orders keep moving after the customers stop: sellers and operators work on while we wait
      ScheduledExecutorService staff = Executors.newScheduledThreadPool(2, daemon("staff"));
      if (settings.sellersConfirm()) {
        staff.scheduleWithFixedDelay(quietly(this::confirmWaiting), 0, 1000, TimeUnit.MILLISECONDS);
      }
      if (settings.operatorsAssign() && settings.pageViewsPerSecond() > 0) {
        staff.scheduleWithFixedDelay(quietly(this::workOrdersPage), 0, 1000, TimeUnit.MILLISECONDS);
      }
      long drainEnd = System.nanoTime() + settings.drain().toNanos();
      track();
      while (!inFlight.isEmpty() && System.nanoTime() < drainEnd) {
        Thread.sleep(1000);
        track();
        report("drain", started);
      }
      staff.shutdownNow();
      return summary(started);
    } finally {
      clock.shutdownNow();
      customers.shutdownNow();
    }
  }

  private void placeOne() {
    try {
      PipelineClient.Placement placement = client.placeOrder(OrderRequest.typical());
      if (placement.accepted()) {
        placed.incrementAndGet();
        inFlight.put(placement.orderId(), "NEW");
      } else {
        failed.incrementAndGet();
      }
    } catch (IOException e) {
      failed.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Looks up every order still in flight at the shop, as an impatient customer would. */
  private void track() throws InterruptedException {
    for (String orderId : List.copyOf(inFlight.keySet())) {
      try {
        Optional<JsonNode> order = client.shopOrder(orderId);
        String status = order.map(o -> o.path("status").asText()).orElse(NOT_IN_SHOP);
        if (COMPLETED.contains(status)) {
          inFlight.remove(orderId);
          completed.incrementAndGet();
        } else {
          inFlight.put(orderId, status);
        }
      } catch (IOException e) {
        inFlight.put(orderId, "UNKNOWN");
      }
    }
  }

  private void confirmWaiting() throws IOException, InterruptedException {
    for (String orderId : client.awaitingConfirmation()) {
      if (inFlight.containsKey(orderId)) {
        client.confirm(orderId);
      }
    }
  }

  private void workOrdersPage() throws IOException, InterruptedException {
    PipelineClient.PageView view = client.ordersPage("PRICED", 0, 20);
    pageNanos.add(view.nanos());
    if (settings.operatorsAssign()) {
      for (String orderId : view.orderIds()) {
        if (inFlight.containsKey(orderId)) {
          client.assign(orderId, ThreadLocalRandom.current().nextInt(1, 6));
        }
      }
    }
  }

  private void report(String phase, long started) {
    long seconds = (System.nanoTime() - started) / 1_000_000_000;
    progress.printf("[%4ds %-5s] placed %d  completed %d  failed %d  in flight %d  orders page p95 %d ms%n",
        seconds, phase, placed.get(), completed.get(), failed.get(), inFlight.size(), percentile(0.95));
  }

  private Summary summary(long started) {
    Map<String, Integer> byStatus = new TreeMap<>();
    inFlight.values().forEach(s -> byStatus.merge(s, 1, Integer::sum));
    return new Summary(placed.get(), completed.get(), failed.get(), inFlight.size(), byStatus,
        Collections.unmodifiableMap(new TreeMap<>(inFlight)), pageNanos.size(),
        percentile(0.5), percentile(0.95), Duration.ofNanos(System.nanoTime() - started));
  }

  private long percentile(double p) {
    List<Long> sorted;
    synchronized (pageNanos) {
      if (pageNanos.isEmpty()) {
        return 0;
      }
      sorted = new ArrayList<>(pageNanos);
    }
    Collections.sort(sorted);
    return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size()))) / 1_000_000;
  }

  private interface Step {
    void run() throws IOException, InterruptedException;
  }

  private static Runnable quietly(Step step) {
    return () -> {
      try {
        step.run();
      } catch (IOException e) {
        // a failed page view or confirmation shows up as orders still in flight
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
