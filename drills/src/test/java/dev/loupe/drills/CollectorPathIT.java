package dev.loupe.drills;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.LoadGenerator;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production path, end to end, with the real gateway Collector ({@code loupe-otelcol} built from the
 * manifest): the three sample apps under the agent and the extension export OTLP to it; it remote-writes
 * metrics to a real Prometheus that evaluates the alert rules, unchanged, and pages through a real
 * Alertmanager; traces and logs go to {@link OtlpSink}s standing in for Tempo and Loki (neither can be
 * built or installed here).
 *
 * <p>Shop-api runs with the extension's redaction switched off, so personal data reaches the Collector
 * unredacted and the Collector alone must hide it.
 */
class CollectorPathIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** The share of healthy traces tail sampling keeps (gateway.yaml, policy share-of-the-rest). */
  private static final double HEALTHY_SHARE = 0.10;
  private static final int LOOKUPS = 60;

  // personal data and secrets sent to shop-api in a URL: the Collector must hide every one
  private static final String EMAIL = "margot.vanderbrook@example.com";
  private static final String PHONE = "+44 20 7946 0718";
  private static final String CARD = "4539 1488 0343 6467";
  private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjdXN0b21lci00MiJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";

  @Test
  void theServicesTelemetryGoesThroughTheRealCollectorToPrometheusTempoAndLoki(@TempDir Path dir) throws Exception {
    Path collector = RealCollector.orSkip();
    Path repository = Tools.repository();
    Path agent = repository.resolve("agent-extension/target/agent/opentelemetry-javaagent.jar");
    Path extension = repository.resolve("agent-extension/target/loupe-agent-extension.jar");
    assertThat(agent).as("the agent jar (copied by agent-extension's build)").exists();
    assertThat(extension).as("the extension jar (built by agent-extension)").exists();
    int prometheusPort = Tools.freePort();

    try (OtlpSink tempo = new OtlpSink(); OtlpSink loki = new OtlpSink(); Webhook pager = new Webhook();
        Alertmanager alertmanager = Alertmanager.start(dir.resolve("alertmanager"), Alertmanager.secretsFor(pager))) {
      // the Collector's ports first: the agents export to it from their first second
      Gateway.Builder gateway = Gateway.builder(collector, dir.resolve("collector"))
          .backends(tempo.grpcEndpoint(), loki.httpEndpoint().resolve("/otlp"),
              URI.create("http://127.0.0.1:" + prometheusPort + "/api/v1/write"));
      try (Stack stack = Stack.builder(repository)
          .workDir(repository.resolve("drills/target/collector-path-" + ProcessHandle.current().pid()))
          .calculation(Duration.ofMillis(200))
          .historyOrders(2_000)
          .progress(line -> System.out.println("[stack] " + line))
          .jvmOptions(s -> Agents.otlp(agent, extension, repository, s, gateway.otlpHttp(),
              s == Service.SHOP ? List.of("-Dloupe.redaction.enabled=false") : List.of()))
          .start();
          Gateway g = gateway.scrapeTargets(stack.url(Service.MES).getAuthority(),
              "127.0.0.1:" + stack.broker().metricsPort()).start();
          Prometheus prometheus = Prometheus.start(dir.resolve("prometheus"),
              Prometheus.shippedConfig(alertmanager, gateway.metricsTarget(), prometheusPort), prometheusPort)) {
        run(stack, g, prometheus, tempo, loki, pager);
      }
    }
  }

  private static void run(Stack stack, Gateway gateway, Prometheus prometheus, OtlpSink tempo, OtlpSink loki,
      Webhook pager) throws Exception {
    PipelineClient client = stack.client();

    // 1. steady healthy load: at least 500 orders, every one priced
    LoadGenerator.Summary healthy = new LoadGenerator(client, new LoadGenerator.Settings(10, Duration.ofSeconds(55),
        Duration.ofSeconds(60), false, 1, false), System.out).run();
    System.out.println("Healthy load: " + healthy.render());
    assertThat(healthy.placed()).as("orders placed").isGreaterThanOrEqualTo(500);
    assertThat(healthy.failed()).as("orders refused while healthy").isZero();

    // 2. personal data in a URL, from the service whose own redaction is off; often enough that tail
    // sampling keeps some of these traces (each is kept with probability 0.1: 60 tries miss with 0.2 %)
    for (int i = 0; i < LOOKUPS; i++) {
      HttpResponse<String> leak = HTTP.send(HttpRequest.newBuilder(stack.url(Service.SHOP).resolve(
          "/api/orders/" + enc(EMAIL) + "?email=" + enc(EMAIL) + "&phone=" + enc(PHONE) + "&card=" + enc(CARD)
              + "&token=" + JWT)).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(leak.statusCode()).as("the shop answered the lookup").isBetween(200, 499);
    }

    // 3. failed orders: S3 refuses the models, the shop answers 502, the traces carry an error status
    stack.fault(Fault.SHOP_S3_REJECTED, true);
    int refused = 0;
    for (int i = 0; i < 10; i++) {
      refused += client.placeOrder(OrderRequest.typical()).status() >= 500 ? 1 : 0;
    }
    stack.fault(Fault.SHOP_S3_REJECTED, false);
    assertThat(refused).as("orders refused while S3 refused the models").isEqualTo(10);

    // 4. lost orders: MES rejects the order messages; on-call must be paged within 60 s
    assertThat(pager.received("/oncall")).as("no page while every order went through").isEmpty();
    stack.fault(Fault.MES_CONSUMER_REJECT, true);
    List<String> lost = new ArrayList<>();
    long firstLoss = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      lost.add(client.placeOrder(OrderRequest.typical()).orderId());
    }
    Webhook.Notification page;
    try {
      page = Eventually.await("the on-call page for the rejected orders", Duration.ofSeconds(120),
          () -> pager.received("/oncall").stream().filter(n -> n.body().contains("OrderMessageRejected")).findFirst());
    } finally {
      stack.fault(Fault.MES_CONSUMER_REJECT, false);
    }
    double seconds = (page.receivedNanos() - firstLoss) / 1e9;
    System.out.printf("Order placed to page, through the Collector: %.1f s%n", seconds);
    JsonNode attachment = JSON.readTree(page.body()).get("attachments").get(0);
    assertThat(attachment.get("title").asText()).contains("OrderMessageRejected on mes-api");
    assertThat(seconds).as("seconds from the first lost order's placement to the page").isLessThanOrEqualTo(60.0);

    labelContractHolds(prometheus);
    tailSamplingKeepsWhatMatters(prometheus, tempo, healthy, lost);
    tracesAndLogsArrive(tempo, loki);
    nothingPersonalLeaves(tempo, loki);
    collectorsOwnMetricsArrive(prometheus, gateway);
  }

  /** docs/label-contract.md on the Collector path: every series a rule reads, with its `service`. */
  private static void labelContractHolds(Prometheus prometheus) throws Exception {
    for (Service s : Service.values()) {
      awaitSeries(prometheus, "http_server_request_duration_seconds_count{service=\"" + s.id() + "\"}");
      awaitSeries(prometheus, "jvm_cpu_count{service=\"" + s.id() + "\"}");
    }
    awaitSeries(prometheus, "loupe_messages_lost_total{service=\"mes-api\",reason=\"rejected\"}");
    awaitSeries(prometheus, "loupe_order_stage_total{service=\"shop-api\"}");
    awaitSeries(prometheus, "loupe_s3_requests_total{service=\"shop-api\",outcome!=\"success\"}");
    awaitSeries(prometheus,
        "http_server_request_duration_seconds_count{service=\"mes-api\",http_route=\"/api/orders\"}");
    // target_info is the exporter's copy of each resource, joined on job and instance; no rule reads it
    assertThat(prometheus.query(
        "count by (__name__) ({__name__=~\".+\", __name__!=\"target_info\", job=~\"jewelry/.+\", service=\"\"})"))
        .as("series the Collector wrote without a service label").isEmpty();
  }

  /**
   * Every trace with an error or a loss is kept; of the rest, about the configured share. The span
   * metrics count every span before sampling, so they are the count of what there was to keep.
   */
  private static void tailSamplingKeepsWhatMatters(Prometheus prometheus, OtlpSink tempo, LoadGenerator.Summary healthy,
      List<String> lost) throws Exception {
    String errors = "sum(traces_span_metrics_calls_total{status_code=\"STATUS_CODE_ERROR\"})";
    double errorSpans = Eventually.await("span metrics and sampled traces to agree on error spans",
        Duration.ofSeconds(90), () -> {
          double counted = prometheus.sum(errors).orElse(0);
          long kept = tempo.spans().stream().filter(s -> s.status().equals("STATUS_CODE_ERROR"))
              .map(OtlpSink.Span::spanId).distinct().count();
          return counted > 0 && kept == counted ? Optional.of(counted) : Optional.empty();
        });
    System.out.printf("Error spans: %.0f counted by span metrics, all kept by tail sampling%n", errorSpans);

    for (String order : lost) {
      Eventually.await("a kept span naming lost order " + order + " and why", Duration.ofSeconds(60),
          () -> tempo.spans().stream().filter(s -> order.equals(s.attributes().get("order.id"))
              && s.attributes().containsKey("loupe.loss.reason")).findFirst());
    }

    Set<String> errorTraces = tempo.spans().stream().filter(s -> s.status().equals("STATUS_CODE_ERROR"))
        .map(OtlpSink.Span::traceId).collect(Collectors.toSet());
    Set<String> keptPlacements = new HashSet<>();
    for (OtlpSink.Span s : tempo.spans()) {
      if (s.service().equals("shop-api") && s.name().equals("POST /api/orders") && !errorTraces.contains(s.traceId())) {
        keptPlacements.add(s.traceId());
      }
    }
    double share = (double) keptPlacements.size() / healthy.placed();
    System.out.printf("Healthy order placements kept: %d of %d (%.1f %%; configured %.0f %%)%n", keptPlacements.size(),
        healthy.placed(), share * 100, HEALTHY_SHARE * 100);
    // binomial: with n >= 500 and p = 0.1 the standard deviation is at most 1.35 points; 4 of them either side
    double sigma = Math.sqrt(HEALTHY_SHARE * (1 - HEALTHY_SHARE) / healthy.placed());
    assertThat(share).as("share of healthy traces kept").isBetween(HEALTHY_SHARE - 4 * sigma, HEALTHY_SHARE + 4 * sigma);
  }

  /**
   * Nothing of the personal data sent to the unredacted shop reaches Tempo or Loki, in any form; the
   * lookups that carried it did reach the Collector, which says what it masked on each span it kept.
   */
  private static void nothingPersonalLeaves(OtlpSink tempo, OtlpSink loki) throws Exception {
    OtlpSink.Span lookup = Eventually.await("a kept lookup that carried personal data", Duration.ofSeconds(30),
        () -> tempo.spans().stream().filter(s -> s.service().equals("shop-api")
            && s.attributes().getOrDefault("url.query", "").contains("token=")).findFirst());
    assertThat(lookup.attributes().get("url.query")).as("the query string as it left the Collector")
        .contains("email=").contains("****");
    assertThat(lookup.attributes()).as("the Collector's own account of what it masked")
        .containsKey("redaction.masked.count");
    List<String> forms = new ArrayList<>();
    for (String v : List.of(EMAIL, PHONE, CARD, JWT)) {
      forms.add(v);
      forms.add(enc(v));
      forms.add(v.replace(" ", ""));
    }
    forms.add("vanderbrook");
    List<byte[]> everything = new ArrayList<>(tempo.raw());
    everything.addAll(loki.raw());
    List<String> leaked = new ArrayList<>();
    for (byte[] request : everything) {
      String text = new String(request, StandardCharsets.ISO_8859_1);
      for (String form : forms) {
        if (text.contains(form)) {
          leaked.add(form);
        }
      }
    }
    System.out.printf("Searched %d requests to Tempo and Loki for %d forms of personal data: %d found%n",
        everything.size(), forms.size(), leaked.size());
    assertThat(leaked).as("personal data that left the Collector").isEmpty();
  }

  /** Every service's spans reach Tempo and its log lines reach Loki, each carrying the order id. */
  private static void tracesAndLogsArrive(OtlpSink tempo, OtlpSink loki) throws Exception {
    for (Service s : Service.values()) {
      Eventually.await(s.id() + "'s spans with an order id in Tempo", Duration.ofSeconds(30), () -> tempo.spans()
          .stream().filter(x -> s.id().equals(x.service()) && x.attributes().containsKey("order.id")).findFirst());
      Eventually.await(s.id() + "'s log records with an order id and a trace id in Loki", Duration.ofSeconds(30),
          () -> loki.logs().stream().filter(x -> s.id().equals(x.service()) && x.attributes().containsKey("order.id")
              && !x.traceId().isEmpty()).findFirst());
    }
  }

  /** The Collector's own series and the span metrics, with the names and labels the rules read. */
  private static void collectorsOwnMetricsArrive(Prometheus prometheus, Gateway gateway) throws Exception {
    awaitSeries(prometheus, "up{service=\"otel-collector\"} == 1");
    awaitSeries(prometheus, "otelcol_receiver_accepted_spans_total{service=\"otel-collector\"}");
    awaitSeries(prometheus, "otelcol_exporter_sent_spans_total{service=\"otel-collector\"}");
    awaitSeries(prometheus, "otelcol_exporter_queue_size{service=\"otel-collector\"}");
    awaitSeries(prometheus, "otelcol_exporter_queue_capacity{service=\"otel-collector\"}");
    awaitSeries(prometheus, "traces_span_metrics_calls_total{service=\"shop-api\",http_route=\"/api/orders\"}");
    awaitSeries(prometheus, "traces_span_metrics_duration_milliseconds_bucket{service=\"mes-api\"}");
    assertThat(gateway.ownMetrics()).contains("otelcol_receiver_accepted_log_records");
  }

  private static void awaitSeries(Prometheus prometheus, String promql) throws Exception {
    Eventually.await("Prometheus to have " + promql, Duration.ofSeconds(60),
        () -> prometheus.query(promql).isEmpty() ? Optional.empty() : Optional.of(true));
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
