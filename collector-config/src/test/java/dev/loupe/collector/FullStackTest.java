package dev.loupe.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Stack;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.grafana.LgtmStackContainer;
import org.testcontainers.images.builder.Transferable;

/**
 * Our Collector config in front of Tempo, Loki and Prometheus (grafana/otel-lgtm): an order placed at
 * the sample apps under the agent and the extension is found as a trace by its order.id, its logs by
 * trace_id, and the agent's and span metrics in Prometheus. Needs a Docker engine; skipped without one.
 *
 * <p>It has never run: Loupe's build machines have no Docker engine. The image runs its own Collector,
 * which must know the component type names of release 0.161.0 that the config uses. What it checks and
 * can run without Docker — the same config on the real Collector, the traces and logs that leave it, the
 * metrics in a real Prometheus — is checked by {@code drills}' {@code CollectorPathIT}.
 */
class FullStackTest {

  static final String SKIPPED = "FullStackTest needs a Docker engine, and this machine has none. It has never run on"
      + " Loupe's build machines; drills' CollectorPathIT checks the same config on the real Collector here.";

  private static final String IMAGE = "grafana/otel-lgtm:0.11.10";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static LgtmStackContainer lgtm;
  private static Stack stack;

  @BeforeAll
  static void start() throws Exception {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      return;
    }
    Path folder = CollectorConfigTest.FOLDER;
    String config = CollectorConfig.load(folder.resolve("gateway.yaml"), folder.resolve("overrides/lgtm.yaml")).toYaml();
    lgtm = new LgtmStackContainer(IMAGE)
        .withCopyToContainer(Transferable.of(config), "/otel-lgtm/otelcol-config.yaml");
    lgtm.start();
    Path repo = folder.getParent();
    stack = Stack.builder(repo)
        .workDir(repo.resolve("collector-config/target/full-stack-" + ProcessHandle.current().pid()))
        .jvmOptions(service -> List.of(
            "-javaagent:" + repo.resolve("agent-extension/target/agent/opentelemetry-javaagent.jar"),
            "-Dotel.javaagent.extensions=" + repo.resolve("agent-extension/target/loupe-agent-extension.jar"),
            "-Dotel.javaagent.configuration-file=" + repo.resolve("agent-extension/config/" + service.id() + ".properties"),
            "-Dotel.exporter.otlp.endpoint=" + lgtm.getOtlpHttpUrl(),
            "-Dotel.metric.export.interval=5000"))
        .start();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (lgtm != null) {
      lgtm.stop();
    }
  }

  @Test
  void anOrdersTraceLogsAndMetricsAreFoundInTheBackends() throws Exception {
    Assumptions.assumeTrue(lgtm != null, SKIPPED);
    PipelineClient client = stack.client();
    String orderId = client.placeOrder(OrderRequest.typical()).orderId();
    Eventually.await("order " + orderId + " to be priced", Duration.ofSeconds(60),
        () -> client.shopOrder(orderId).filter(o -> o.path("status").asText().equals("PRICED")));

    List<String> traceIds = Eventually.await("Tempo to find traces of " + orderId, Duration.ofSeconds(90), () -> {
      JsonNode found = get(lgtm.getTempoUrl() + "/api/search?tags=" + encode("order.id=" + orderId));
      List<String> ids = new ArrayList<>();
      found.path("traces").forEach(t -> ids.add(t.path("traceID").asText()));
      return ids.isEmpty() ? Optional.empty() : Optional.of(ids);
    });
    assertThat(traceIds).isNotEmpty();

    Eventually.await("Loki to find log lines of those traces", Duration.ofSeconds(90), () -> {
      for (String traceId : traceIds) {
        String query = "{service_name=~\"crm-api|mes-api\"} | trace_id=\"" + traceId + "\"";
        JsonNode found = get(lgtm.getLokiUrl() + "/loki/api/v1/query_range?query=" + encode(query));
        if (found.path("data").path("result").size() > 0) {
          return Optional.of(true);
        }
      }
      return Optional.empty();
    });

    for (String metric : List.of("http_server_request_duration_seconds_count", "traces_span_metrics_calls_total")) {
      Eventually.await("Prometheus to have " + metric, Duration.ofSeconds(90), () -> {
        JsonNode found = get(lgtm.getPrometheusHttpUrl() + "/api/v1/query?query=" + encode(metric));
        return found.path("data").path("result").size() > 0 ? Optional.of(true) : Optional.empty();
      });
    }
  }

  private static JsonNode get(String url) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.createObjectNode();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
