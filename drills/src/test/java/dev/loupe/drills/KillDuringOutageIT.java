package dev.loupe.drills;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.sample.stack.Eventually;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The gateway Collector killed with {@code kill -9} while a backend is down, then started again on the
 * same queue directory, as a supervisor would restart it: what it had accepted, what arrives, and what is
 * lost. The shipped config ({@code gateway.yaml} + the local override) runs unchanged but for loopback
 * addresses; the backends are {@link OtlpSink}s refusing every export (Tempo and Loki) and a real
 * Prometheus that is not running yet.
 *
 * <p>What each test asserts is what the Collector does, including what it loses;
 * {@code collector-config/README.md} ("What a crash loses") says the same in prose, with these figures.
 */
class KillDuringOutageIT {

  private static final String SERVICE = "kill-drill";
  /** Spans and log records accepted long enough before the kill to have reached the disk queues. */
  private static final int QUEUED = 500;
  /** Spans and log records accepted just before the kill. */
  private static final int LATE = 200;
  /** gateway.yaml: tail_sampling's decision_wait, batch's timeout. */
  private static final Duration DECISION_WAIT = Duration.ofSeconds(10);
  private static final Duration BATCH_TIMEOUT = Duration.ofSeconds(2);
  /** The prometheus_remote_write exporter's timeout (its default; gateway.yaml sets none), which bounds its retries. */
  private static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(5);

  @Test
  void whatTheDiskQueuesHeldArrivesAfterTheRestartWhatTailSamplingStillHeldIsLost() throws Exception {
    Path collector = RealCollector.orSkip();
    Path dir = runDir("queues");
    try (OtlpSink tempo = new OtlpSink(); OtlpSink loki = new OtlpSink()) {
      tempo.refuse(true);
      loki.refuse(true);
      Gateway.Builder gateway = Gateway.builder(collector, dir.resolve("collector"))
          .queues(dir.resolve("queues"))
          .backends(tempo.grpcEndpoint(), loki.httpEndpoint().resolve("/otlp"),
              URI.create("http://127.0.0.1:" + Tools.freePort() + "/api/v1/write"));
      OtlpClient agent = OtlpClient.to(gateway.otlpHttp());
      Gateway first = gateway.start();
      try {
        // accepted, then given time to pass tail sampling and the batch processor into the disk queues
        assertThat(agent.spans(SERVICE, "queued", 1, QUEUED).statusCode()).isEqualTo(200);
        assertThat(agent.logs(SERVICE, "queued", 1, QUEUED).statusCode()).isEqualTo(200);
        awaitOwn(first, "otelcol_receiver_accepted_spans_total", QUEUED, Duration.ofSeconds(10));
        awaitOwn(first, "otelcol_receiver_accepted_log_records_total", QUEUED, Duration.ofSeconds(10));
        awaitOwn(first, "otelcol_processor_tail_sampling_global_count_traces_sampled_total", QUEUED,
            DECISION_WAIT.plusSeconds(20));
        // the batch processor lets go of what it holds within one timeout of the decision
        Thread.sleep(BATCH_TIMEOUT.plusSeconds(1).toMillis());
        double queuedTraces = first.ownMetric("otelcol_exporter_queue_size", "exporter", "otlp_grpc/tempo");
        double queuedLogs = first.ownMetric("otelcol_exporter_queue_size", "exporter", "otlp_http/loki");
        assertThat(queuedTraces).as("requests in Tempo's disk queue").isPositive();
        assertThat(queuedLogs).as("requests in Loki's disk queue").isPositive();
        assertThat(tempo.spans()).as("spans Tempo took while down").isEmpty();

        // accepted just before the kill: the spans wait in tail sampling's memory for their decision, the
        // log records in the batch processor's
        assertThat(agent.spans(SERVICE, "undecided", 1, LATE).statusCode()).isEqualTo(200);
        assertThat(agent.logs(SERVICE, "unbatched", 1, LATE).statusCode()).isEqualTo(200);
        long acceptedAt = System.nanoTime();
        assertThat(first.ownMetric("otelcol_processor_tail_sampling_global_count_traces_sampled_total"))
            .as("traces decided when the Collector is killed").isEqualTo(QUEUED);
        first.kill();
        System.out.printf("Killed (SIGKILL) %d ms after the last %d spans and %d log records were accepted;"
            + " %.0f and %.0f requests in the disk queues of Tempo and Loki%n",
            (System.nanoTime() - acceptedAt) / 1_000_000, LATE, LATE, queuedTraces, queuedLogs);
      } finally {
        first.close();
      }

      try (Gateway second = gateway.start()) {
        tempo.refuse(false);
        loki.refuse(false);
        Eventually.await("every queued span in Tempo", Duration.ofSeconds(60),
            () -> names(tempo.spans(), OtlpSink.Span::name, "queued").size() == QUEUED ? Optional.of(true) : Optional.empty());
        Eventually.await("every queued log record in Loki", Duration.ofSeconds(60),
            () -> names(loki.logs(), OtlpSink.LogRecord::body, "queued").size() == QUEUED ? Optional.of(true) : Optional.empty());
        Eventually.await("the disk queues empty", Duration.ofSeconds(30),
            () -> second.ownMetric("otelcol_exporter_queue_size", "exporter", "otlp_grpc/tempo")
                + second.ownMetric("otelcol_exporter_queue_size", "exporter", "otlp_http/loki") == 0
                ? Optional.of(true) : Optional.empty());
        // the restarted Collector was never given the late ones: once its queues are empty, nothing more can come
        assertThat(second.ownMetric("otelcol_receiver_accepted_spans_total")).isZero();

        Map<String, Long> spans = names(tempo.spans(), OtlpSink.Span::name, "");
        Map<String, Long> logs = names(loki.logs(), OtlpSink.LogRecord::body, "");
        long spanCopies = spans.entrySet().stream().filter(e -> e.getKey().startsWith("queued")).mapToLong(Map.Entry::getValue).sum();
        long logCopies = logs.entrySet().stream().filter(e -> e.getKey().startsWith("queued")).mapToLong(Map.Entry::getValue).sum();
        long undecided = names(tempo.spans(), OtlpSink.Span::name, "undecided").size();
        long unbatched = names(loki.logs(), OtlpSink.LogRecord::body, "unbatched").size();
        System.out.printf("After the restart: queued spans %d of %d (%d duplicates), queued log records %d of %d"
            + " (%d duplicates); spans still undecided at the kill %d of %d; log records still in the batch %d of %d%n",
            names(tempo.spans(), OtlpSink.Span::name, "queued").size(), QUEUED, spanCopies - QUEUED,
            names(loki.logs(), OtlpSink.LogRecord::body, "queued").size(), QUEUED, logCopies - QUEUED,
            undecided, LATE, unbatched, LATE);
        // at least once: a copy more would mean a request the backend took was sent again; the backend took none
        // before the kill, so there is nothing to send twice
        assertThat(spanCopies - QUEUED).as("queued spans delivered twice").isZero();
        assertThat(logCopies - QUEUED).as("queued log records delivered twice").isZero();
        assertThat(undecided).as("spans accepted but still waiting for tail sampling's decision when killed")
            .isZero();
        // the batch processor sends every 2 s; killed within milliseconds, the late records are lost unless a
        // send fell into those milliseconds, and then all of them arrive (one small batch)
        assertThat(unbatched).as("log records accepted just before the kill").isIn(0L, (long) LATE);
      }
    }
  }

  @Test
  void metricsForPrometheusAreHeldInMemoryOnlyAndForFiveSecondsOfRetries() throws Exception {
    Path collector = RealCollector.orSkip();
    Path dir = runDir("metrics");
    int prometheusPort = Tools.freePort();
    try (OtlpSink tempo = new OtlpSink(); OtlpSink loki = new OtlpSink()) {
      Gateway.Builder gateway = Gateway.builder(collector, dir.resolve("collector"))
          .queues(dir.resolve("queues"))
          .backends(tempo.grpcEndpoint(), loki.httpEndpoint().resolve("/otlp"),
              URI.create("http://127.0.0.1:" + prometheusPort + "/api/v1/write"));
      OtlpClient agent = OtlpClient.to(gateway.otlpHttp());
      String config = "global:\n  scrape_interval: 15s\n";
      Gateway first = gateway.start();
      try {
        // 1. Prometheus down for longer than the exporter's timeout: the point is dropped, nobody killed
        double failedBefore = first.ownMetric("otelcol_exporter_send_failed_metric_points_total");
        assertThat(probe(agent, "outage").statusCode()).isEqualTo(200);
        long accepted = System.nanoTime();
        // its batch leaves within one batch timeout, and is retried for the exporter's timeout
        Duration givenUp = BATCH_TIMEOUT.plus(EXPORT_TIMEOUT).plusSeconds(1);
        Eventually.await("the remote write to give up on the point", Duration.ofSeconds(30),
            () -> first.ownMetric("otelcol_exporter_send_failed_metric_points_total") > failedBefore
                && System.nanoTime() - accepted > givenUp.toNanos() ? Optional.of(true) : Optional.empty());
        try (Prometheus prometheus = Prometheus.start(dir.resolve("prometheus"), config, prometheusPort)) {
          assertThat(probe(agent, "alive").statusCode()).isEqualTo(200);
          awaitProbe(prometheus, "alive");
          assertThat(prometheus.query("loupe_drill_probe{phase=\"outage\"}"))
              .as("a point accepted while Prometheus was down, once it is up again").isEmpty();
        }

        // 2. Prometheus down again, a point accepted and the Collector killed within the retry window
        assertThat(probe(agent, "killed").statusCode()).isEqualTo(200);
        awaitOwn(first, "otelcol_receiver_accepted_metric_points_total", 3, Duration.ofSeconds(10), "receiver", "otlp");
        Thread.sleep(BATCH_TIMEOUT.plusSeconds(1).toMillis());
        first.kill();
      } finally {
        first.close();
      }
      try (Prometheus prometheus = Prometheus.start(dir.resolve("prometheus"), config, prometheusPort);
          Gateway second = gateway.start()) {
        assertThat(probe(agent, "restarted").statusCode()).isEqualTo(200);
        awaitProbe(prometheus, "restarted");
        assertThat(prometheus.query("loupe_drill_probe{phase=\"killed\"}"))
            .as("a point accepted while Prometheus was down, after the kill and restart").isEmpty();
        System.out.println("Metrics: the point accepted while Prometheus was down was dropped after the"
            + " exporter's 5 s timeout; the point accepted before the kill was lost with the process; both"
            + " points sent while Prometheus was up arrived");
      }
    }
  }

  private static java.net.http.HttpResponse<String> probe(OtlpClient agent, String phase) throws Exception {
    return agent.gauge(SERVICE, "loupe.drill.probe", Map.of("phase", phase), 1);
  }

  private static void awaitProbe(Prometheus prometheus, String phase) throws Exception {
    Eventually.await("the " + phase + " point in Prometheus", Duration.ofSeconds(30),
        () -> prometheus.query("loupe_drill_probe{phase=\"" + phase + "\"}").isEmpty() ? Optional.empty()
            : Optional.of(true));
  }

  private static void awaitOwn(Gateway gateway, String metric, double value, Duration timeout, String... labels)
      throws Exception {
    Eventually.await(metric + " to reach " + value, timeout,
        () -> gateway.ownMetric(metric, labels) >= value ? Optional.of(true) : Optional.empty());
  }

  /** How often each name starting with {@code prefix} arrived. */
  private static <T> Map<String, Long> names(List<T> items, Function<T, String> name, String prefix) {
    return items.stream().map(name).filter(n -> n.startsWith(prefix))
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
  }

  /** A directory of this run under drills/target, kept afterwards for the Collector's logs. */
  private static Path runDir(String name) {
    return Tools.repository().resolve("drills/target/kill-during-outage-" + ProcessHandle.current().pid() + "/" + name);
  }
}
