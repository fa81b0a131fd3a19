package dev.loupe.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
 * another; every query must then return data, except the panels and queries {@link NoDataExemptions} names
 * with the reason. Prometheus itself parsing every query (it refuses one it cannot parse) is part of the proof.
 *
 * <p>The queries come from {@code target/panel-queries.json}, written by {@code src/queries.js} from the
 * committed dashboards with Grafana's variables filled ({@code $__rate_interval} 1m, {@code $__range}
 * 1h, every query variable at its All value).
 */
class PanelsHaveDataIT {

  /** How long the faults' phases and the wait for data may take after the load starts. */
  private static final Duration DATA_DEADLINE = Duration.ofMinutes(4);

  @Test
  void everyPanelsPromqlReturnsDataFromTheStackUnderItsFaults(@TempDir Path dir) throws Exception {
    List<PanelQuery> queries = PanelQuery.promql();
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
    System.out.printf("Queries with data: %d of %d after %d s (%s)%n", seen.size(), queries.size(),
        Duration.ofNanos(System.nanoTime() - start).toSeconds(), NoDataExemptions.Coverage.of(queries));
    for (PanelQuery q : queries) {
      NoDataExemptions.Exemption e = NoDataExemptions.of(q);
      if (e != null) {
        System.out.printf("  %s [%s]: %s (%s: %s)%n", q.panelKey(), abbreviated(q.query()),
            seen.contains(q) ? "had data all the same" : "no data", e.kind(), e.reason());
      }
    }
    assertThat(missing(queries, seen)).as("panel queries that returned no data").isEmpty();
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
      if (!seen.contains(q) && NoDataExemptions.of(q) == null) {
        out.add(q.panelKey() + ": " + q.query());
      }
    }
    return out;
  }

  private static String abbreviated(String query) {
    String flat = query.replaceAll("\\s+", " ");
    return flat.length() <= 100 ? flat : flat.substring(0, 97) + "...";
  }
}
