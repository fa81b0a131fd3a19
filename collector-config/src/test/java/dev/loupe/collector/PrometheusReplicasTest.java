package dev.loupe.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.sample.stack.PrivateCa;
import java.io.IOException;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code overrides/prometheus-replicas.yaml} with the real Collector and two real Prometheus servers (Debian's
 * {@code prometheus}, remote-write receiver on, serving TLS with a private CA's certificate): one metric point
 * sent to the Collector's OTLP/HTTP receiver becomes a series in both, each written through its own exporter
 * to the endpoint {@code LOUPE_PROMETHEUS_WRITE_ENDPOINT} or {@code LOUPE_PROMETHEUS_WRITE_ENDPOINT_2} names,
 * with the CA of {@code LOUPE_CA_FILE} and the name {@code LOUPE_PROMETHEUS_SERVER_NAME}. The local variant
 * on free loopback ports stands for production (whose receivers need a token and certificates this test
 * would only add noise with); the override is merged last, as terraform merges it. Skipped, saying so,
 * without a Collector; fails, saying what to install, without {@code prometheus}.
 */
class PrometheusReplicasTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Generous: the machine may be loaded by other builds; the batch processor alone waits up to 200 ms. */
  private static final Duration ARRIVAL = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  @Test
  void onePointSentToTheCollectorIsASeriesInBothReplicas() throws Exception {
    Otelcol.binary();
    PrivateCa ca = PrivateCa.create(dir.resolve("ca"), "loupe-test-ca");
    ca.issue("prometheus", "serverAuth");
    Path web = dir.resolve("web.yml");
    Files.writeString(web, "tls_server_config:\n  cert_file: " + ca.certificateOf("prometheus") + "\n  key_file: "
        + ca.privateKeyOf("prometheus") + "\n");
    HttpClient https = HttpClient.newBuilder().sslContext(ca.clientContext()).connectTimeout(Duration.ofSeconds(2)).build();

    List<Process> prometheus = new ArrayList<>();
    List<URI> replicas = new ArrayList<>();
    Process collector = null;
    Otelcol.Output collectorOutput = null;
    try {
      for (int i = 0; i < 2; i++) {
        int port = Otelcol.freePort();
        Path config = dir.resolve("prometheus-" + i + ".yml");
        Files.writeString(config, "global:\n  scrape_interval: 15s\n");
        prometheus.add(startPrometheus(config, dir.resolve("data-" + i), port, web));
        replicas.add(URI.create("https://127.0.0.1:" + port));
      }
      for (int i = 0; i < 2; i++) {
        awaitReady(https, replicas.get(i), prometheus.get(i));
      }

      Path ports = Otelcol.localPorts(dir);
      Path local = CollectorConfigTest.FOLDER.resolve("overrides/local.yaml");
      Path override = CollectorConfigTest.FOLDER.resolve("overrides/prometheus-replicas.yaml");
      collector = Otelcol.start(Map.of(
          "LOUPE_PROMETHEUS_WRITE_ENDPOINT", replicas.get(0) + "/api/v1/write",
          "LOUPE_PROMETHEUS_WRITE_ENDPOINT_2", replicas.get(1) + "/api/v1/write",
          "LOUPE_CA_FILE", ca.certificate().toString(),
          // the certificate names localhost and 127.0.0.1; the name checked is the one given
          "LOUPE_PROMETHEUS_SERVER_NAME", "localhost"),
          "--config", CollectorConfigTest.FOLDER.resolve("gateway.yaml").toString(), "--config", local.toString(),
          "--config", ports.toString(), "--config", override.toString());
      collectorOutput = Otelcol.Output.of(collector);

      URI otlp = URI.create("http://" + otlpHttpEndpoint(ports) + "/v1/metrics");
      String point = """
          {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"replica-probe"}}]},
           "scopeMetrics":[{"metrics":[{"name":"loupe_replica_probe","gauge":{"dataPoints":[
             {"asInt":"42","timeUnixNano":"%d"}]}}]}]}]}
          """.formatted(System.currentTimeMillis() * 1_000_000L);
      long deadline = System.nanoTime() + ARRIVAL.toNanos();
      int status = 0;
      while (status != 200 && System.nanoTime() < deadline && collector.isAlive()) {
        try {
          status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(otlp).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(point)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notYet) {
          Thread.sleep(200);
        }
      }
      assertThat(status).as("OTLP/HTTP at " + otlp + "; Collector output:\n" + collectorOutput.text()).isEqualTo(200);

      for (URI replica : replicas) {
        String series = "";
        while (series.isEmpty() && System.nanoTime() < deadline) {
          series = query(https, replica, "loupe_replica_probe{service=\"replica-probe\"}");
          if (series.isEmpty()) {
            Thread.sleep(500);
          }
        }
        assertThat(series).as("the probe's series in the Prometheus at " + replica + "; Collector output:\n"
            + collectorOutput.text()).isEqualTo("42");
      }
    } finally {
      if (collector != null) {
        collector.toHandle().destroy();
        if (!collector.waitFor(20, TimeUnit.SECONDS)) {
          collector.destroyForcibly().waitFor();
        }
      }
      for (Process p : prometheus) {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor();
        }
      }
    }
  }

  private static Process startPrometheus(Path config, Path data, int port, Path web) throws IOException {
    try {
      return new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + data,
          "--web.listen-address=127.0.0.1:" + port, "--web.config.file=" + web, "--web.enable-remote-write-receiver")
          .redirectErrorStream(true).redirectOutput(data.resolveSibling(data.getFileName() + ".log").toFile()).start();
    } catch (IOException e) {
      throw new AssertionError("prometheus is not installed: apt-get install prometheus (as .ci/run does)", e);
    }
  }

  private static void awaitReady(HttpClient https, URI replica, Process process) throws Exception {
    long deadline = System.nanoTime() + ARRIVAL.toNanos();
    int status = 0;
    while (status != 200 && System.nanoTime() < deadline && process.isAlive()) {
      try {
        status = https.send(HttpRequest.newBuilder(replica.resolve("/-/ready")).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode();
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    assertThat(status).as("Prometheus at " + replica + " ready").isEqualTo(200);
  }

  /** The value of {@code promql}'s one series at the Prometheus at {@code replica}, or "" while there is none. */
  private static String query(HttpClient https, URI replica, String promql) throws Exception {
    HttpResponse<String> response = https.send(HttpRequest.newBuilder(replica.resolve("/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode result = JSON.readTree(response.body()).path("data").path("result");
    return result.size() == 1 ? result.get(0).path("value").get(1).asText() : "";
  }

  private static String otlpHttpEndpoint(Path ports) throws IOException {
    Matcher m = Pattern.compile("http:\\s+endpoint: (\\S+)").matcher(Files.readString(ports));
    assertThat(m.find()).as("the otlp receiver's HTTP endpoint in " + ports).isTrue();
    return m.group(1);
  }
}
