package dev.loupe.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real Collector ({@code loupe-otelcol} built from the manifest, or the one LOUPE_OTELCOL names) loads
 * every config: {@code validate} passes for the gateway with each environment's overrides and fails on
 * broken copies, naming the problem; the local variant starts and reports healthy. Skipped, saying so,
 * where there is neither Go nor LOUPE_OTELCOL.
 */
class CollectorValidateTest {

  private static final Path FOLDER = CollectorConfigTest.FOLDER;
  private static final Path BASE = FOLDER.resolve("gateway.yaml");
  private static final Path LOCAL = FOLDER.resolve("overrides/local.yaml");
  private static final Duration VALIDATE_TIMEOUT = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"local", "production", "lgtm"})
  void theGatewayWithEachEnvironmentsOverridesValidates(String environment) throws Exception {
    // the settings without defaults; validate reads no TLS or token file (a start does)
    Otelcol.Result r = validate(Map.of("LOUPE_COLLECTOR_QUEUE_DIR", dir.toString()), BASE,
        FOLDER.resolve("overrides/" + environment + ".yaml"));
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).doesNotContainIgnoringCase("error");
  }

  /** Each scale-out tier over production, as deployed (README: "Scale-out"). */
  @ParameterizedTest
  @ValueSource(strings = {"scale-out-routing", "scale-out-sampling"})
  void eachScaleOutTierValidatesOverProduction(String tier) throws Exception {
    Otelcol.Result r = Otelcol.run(Map.of("LOUPE_COLLECTOR_QUEUE_DIR", dir.toString()), VALIDATE_TIMEOUT, "validate",
        "--config", BASE.toString(), "--config", FOLDER.resolve("overrides/production.yaml").toString(),
        "--config", FOLDER.resolve("overrides/" + tier + ".yaml").toString());
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).doesNotContainIgnoringCase("error");
  }

  /**
   * Two Prometheus replicas, as production deploys them: the single gateway and each scale-out tier over
   * production with {@code prometheus-replicas.yaml} last (README: "Two Prometheus replicas").
   */
  @ParameterizedTest
  @ValueSource(strings = {"", "scale-out-routing", "scale-out-sampling"})
  void everyProductionTierValidatesWithTwoPrometheusReplicas(String tier) throws Exception {
    List<String> args = new ArrayList<>(List.of("validate", "--config", BASE.toString(),
        "--config", FOLDER.resolve("overrides/production.yaml").toString()));
    if (!tier.isEmpty()) {
      args.addAll(List.of("--config", FOLDER.resolve("overrides/" + tier + ".yaml").toString()));
    }
    args.addAll(List.of("--config", FOLDER.resolve("overrides/prometheus-replicas.yaml").toString()));
    Otelcol.Result r = Otelcol.run(Map.of("LOUPE_COLLECTOR_QUEUE_DIR", dir.toString()), VALIDATE_TIMEOUT,
        args.toArray(String[]::new));
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).doesNotContainIgnoringCase("error");
  }

  @Test
  void theBuiltBinaryHasExactlyTheComponentsTheManifestDeclares() throws Exception {
    Distribution binary = Distribution.ofBinary(Otelcol.binary());
    Distribution manifest = Distribution.of(Manifest.load(CollectorConfigTest.MANIFEST));
    for (String kind : Manifest.KINDS) {
      if (Otelcol.external()) {
        assertThat(binary.types(kind)).as(kind + " of " + binary.name()).containsAll(manifest.types(kind));
      } else {
        assertThat(binary.types(kind)).as(kind + " of " + binary.name()).containsExactlyElementsOf(manifest.types(kind));
      }
    }
    if (!Otelcol.external()) {
      assertThat(binary.name()).isEqualTo("loupe-otelcol 0.161.0-loupe");
    }
  }

  @Test
  void anUnknownComponentTypeFailsValidation() throws Exception {
    assertValidationFails("  otlp_http/loki:\n", "  loki:\n    endpoint: http://loki:3100/loki/api/v1/push\n  otlp_http/loki:\n",
        "'exporters' unknown type: \"loki\" for id: \"loki\"");
  }

  @Test
  void aPipelineNamingAMissingExporterFailsValidation() throws Exception {
    assertValidationFails("exporters: [otlp_grpc/tempo]", "exporters: [otlp_grpc/tempo, otlp_grpc/jaeger]",
        "service::pipelines::traces/sampled: references exporter \"otlp_grpc/jaeger\" which is not configured");
  }

  @Test
  void badOttlInTheTransformFailsValidation() throws Exception {
    assertValidationFails("set(datapoint.attributes[\"service\"]", "sett(datapoint.attributes[\"service\"]",
        "processors::transform/service-label", "does not support the function \"sett\"");
  }

  @Test
  void aTransformStatementThatDoesNotParseFailsValidation() throws Exception {
    assertValidationFails("resource.attributes[\"service.name\"]) where", "resource.attributes[\"service.name\"] where",
        "processors::transform/service-label", "statement has invalid syntax");
  }

  /** Tail sampling compiles its OTTL conditions when it starts, not in validate: so this one is started. */
  @Test
  void badOttlInATailSamplingPolicyStopsTheCollectorAtStart() throws Exception {
    Path base = copy(BASE, "span.attributes[\"loupe.loss.reason\"] != nil", "span.attributes[\"loupe.loss.reason\"] !=! nil");
    Path ports = Otelcol.localPorts(dir);
    Otelcol.Result r = Otelcol.run(Map.of(), Duration.ofSeconds(60), "--config", base.toString(), "--config", LOCAL.toString(),
        "--config", ports.toString());
    assertThat(r.exit()).as(r.output()).isNotZero();
    assertThat(r.output()).contains("failed to start \"tail_sampling\" processor: failed to create policy evaluator for \"lost-orders\"")
        .contains("condition has invalid syntax");
  }

  /**
   * A start, not just validate: every component is created, the health check answers, and nothing warns
   * (no deprecated name, no setting due to change meaning) but the absent backends.
   */
  @Test
  void theLocalGatewayStartsAndReportsHealthyWithoutDeprecationWarnings() throws Exception {
    Path ports = Otelcol.localPorts(dir);
    Process collector = Otelcol.start(Map.of(), "--config", BASE.toString(), "--config", LOCAL.toString(), "--config",
        ports.toString());
    Otelcol.Output output = Otelcol.Output.of(collector);
    try {
      URI health = URI.create("http://" + Otelcol.healthEndpoint(ports) + "/");
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      int status = 0;
      while (status != 200 && System.nanoTime() < deadline && collector.isAlive()) {
        try {
          status = http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notYet) {
          Thread.sleep(200);
        }
      }
      assertThat(status).as("health check at " + health + "; Collector output:\n" + output.text()).isEqualTo(200);
      String log = output.text();
      assertThat(log).contains("Everything is ready").doesNotContain("deprecated");
      assertThat(log.lines().filter(line -> line.contains("\twarn\t") || line.contains("\terror\t")))
          .as("warnings and errors other than the backends (ports where nothing listens) refusing connections")
          .allMatch(line -> line.contains("connection refused"));
    } finally {
      // SIGTERM through the handle: Process.destroy() would also close the pipe the Collector logs its
      // shutdown to, and it would die of SIGPIPE
      collector.toHandle().destroy();
      if (!collector.waitFor(20, TimeUnit.SECONDS)) {
        collector.destroyForcibly().waitFor();
      }
    }
    assertThat(collector.exitValue()).as(output.text()).isZero();
  }

  /** A copy of gateway.yaml with {@code from} replaced by {@code to} fails validate, its output naming each of {@code problem}. */
  private void assertValidationFails(String from, String to, String... problem) throws Exception {
    Otelcol.Result r = validate(Map.of(), copy(BASE, from, to), LOCAL);
    assertThat(r.exit()).as(r.output()).isNotZero();
    assertThat(r.output()).contains(problem);
  }

  private static Otelcol.Result validate(Map<String, String> env, Path base, Path override) throws Exception {
    return Otelcol.run(env, VALIDATE_TIMEOUT, "validate", "--config", base.toString(), "--config", override.toString());
  }

  private Path copy(Path original, String from, String to) throws IOException {
    String text = Files.readString(original);
    assertThat(text).as("the broken copy needs '" + from + "' in " + original.getFileName()).contains(from);
    Path file = dir.resolve("broken-" + original.getFileName());
    Files.writeString(file, text.replace(from, to));
    return file;
  }
}
