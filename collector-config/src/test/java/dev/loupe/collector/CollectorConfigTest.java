package dev.loupe.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectorConfigTest {

  static final Path FOLDER = Path.of(System.getProperty("loupe.repository", "..")).resolve("collector-config")
      .toAbsolutePath().normalize();
  private static final Path BASE = FOLDER.resolve("gateway.yaml");
  private static final Path PRODUCTION = FOLDER.resolve("overrides/production.yaml");
  private static final Path LOCAL = FOLDER.resolve("overrides/local.yaml");

  @TempDir
  Path broken;

  static final Path MANIFEST = FOLDER.resolve("distribution/manifest.yaml");

  /** The types the manifest declares: the check that runs without Go (CollectorValidateTest runs the binary). */
  private static Distribution distribution() throws IOException {
    return Distribution.of(Manifest.load(MANIFEST));
  }

  @Test
  void everyYamlFileParses() throws IOException {
    List<Path> files;
    try (Stream<Path> all = Files.walk(FOLDER)) {
      files = all.filter(p -> p.toString().matches(".*\\.ya?ml$")).filter(p -> !p.toString().contains("/target/")).toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(7);
    for (Path file : files) {
      assertThat(CollectorConfig.parse(file)).as(file.toString()).isNotEmpty();
    }
  }

  @Test
  void productionAndLocalVariantsPassEveryCheck() throws IOException {
    assertThat(CollectorConfig.load(BASE, PRODUCTION).problems(distribution(), true)).isEmpty();
    assertThat(CollectorConfig.load(BASE, LOCAL).problems(distribution(), false)).isEmpty();
  }

  @Test
  void theFullStackVariantPassesTheChecksItCanPass() throws IOException {
    Path lgtm = FOLDER.resolve("overrides/lgtm.yaml");
    assertThat(CollectorConfig.load(BASE, lgtm).problems(distribution(), false)).isEmpty();
  }

  /** Each scale-out tier is deployed over production, and held to its rules (README: "Scale-out"). */
  @Test
  void theScaleOutTiersPassProductionsChecks() throws IOException {
    for (String tier : List.of("scale-out-routing", "scale-out-sampling")) {
      assertThat(CollectorConfig.load(BASE, PRODUCTION, FOLDER.resolve("overrides/" + tier + ".yaml"))
          .problems(distribution(), true)).as(tier).isEmpty();
    }
  }

  /**
   * Span metrics are computed once per span: in the routing tier, which every span passes once, and not in
   * the sampling tier, to which the routing tier sends every span again. No tier scrapes: every replica
   * would write the same series.
   */
  @Test
  void onlyTheRoutingTierCountsSpansAndNoTierScrapes() throws IOException {
    Map<String, List<String>> routing = pipelineExporters("scale-out-routing");
    Map<String, List<String>> sampling = pipelineExporters("scale-out-sampling");
    assertThat(routing.get("traces/in")).containsExactly("span_metrics", "forward/sampling");
    assertThat(routing.get("traces/sampled")).containsExactly("load_balancing/sampling-tier");
    assertThat(sampling.values()).noneMatch(exporters -> exporters.contains("span_metrics"));
    assertThat(sampling.get("traces/sampled")).containsExactly("otlp_grpc/tempo");
    for (String tier : List.of("scale-out-routing", "scale-out-sampling")) {
      assertThat(CollectorConfig.load(BASE, PRODUCTION, FOLDER.resolve("overrides/" + tier + ".yaml")).toYaml())
          .as(tier).doesNotContain("- prometheus/legacy");
    }
  }

  /** Each pipeline's exporters, of the gateway with production's and {@code tier}'s overrides. */
  @SuppressWarnings("unchecked")
  private static Map<String, List<String>> pipelineExporters(String tier) throws IOException {
    Map<String, Object> merged = new org.yaml.snakeyaml.Yaml().load(
        CollectorConfig.load(BASE, PRODUCTION, FOLDER.resolve("overrides/" + tier + ".yaml")).toYaml());
    Map<String, Object> pipelines = (Map<String, Object>) ((Map<String, Object>) merged.get("service")).get("pipelines");
    Map<String, List<String>> exporters = new java.util.TreeMap<>();
    pipelines.forEach((name, p) -> exporters.put(name, (List<String>) ((Map<String, Object>) p).get("exporters")));
    return exporters;
  }

  /**
   * With two Prometheus replicas every series is written to both (README: "Two Prometheus replicas"): in
   * the single gateway and each scale-out tier, every pipeline that remote-writes names both exporters, and
   * the second exporter's settings are the first's (gateway.yaml, production.yaml) but for the endpoint.
   */
  @Test
  @SuppressWarnings("unchecked")
  void withTwoPrometheusReplicasEveryTierWritesEverySeriesToBoth() throws IOException {
    Path replicas = FOLDER.resolve("overrides/prometheus-replicas.yaml");
    for (List<Path> files : List.of(List.of(BASE, PRODUCTION, replicas),
        List.of(BASE, PRODUCTION, FOLDER.resolve("overrides/scale-out-routing.yaml"), replicas),
        List.of(BASE, PRODUCTION, FOLDER.resolve("overrides/scale-out-sampling.yaml"), replicas))) {
      CollectorConfig config = CollectorConfig.load(files.toArray(Path[]::new));
      String name = files.get(files.size() - 2).getFileName().toString();
      assertThat(config.problems(distribution(), true)).as(name).isEmpty();
      Map<String, Object> merged = new org.yaml.snakeyaml.Yaml().load(config.toYaml());
      Map<String, Object> pipelines = (Map<String, Object>) ((Map<String, Object>) merged.get("service")).get("pipelines");
      List<List<String>> writing = pipelines.values().stream()
          .map(p -> (List<String>) ((Map<String, Object>) p).get("exporters"))
          .filter(exporters -> exporters.stream().anyMatch(e -> e.startsWith("prometheus_remote_write"))).toList();
      assertThat(writing).as(name).isNotEmpty()
          .allSatisfy(exporters -> assertThat(exporters).contains("prometheus_remote_write", "prometheus_remote_write/replica-2"));
      Map<String, Object> exporters = (Map<String, Object>) merged.get("exporters");
      Map<String, Object> first = new java.util.TreeMap<>((Map<String, Object>) exporters.get("prometheus_remote_write"));
      Map<String, Object> second = new java.util.TreeMap<>((Map<String, Object>) exporters.get("prometheus_remote_write/replica-2"));
      assertThat(first.remove("endpoint")).asString().contains("LOUPE_PROMETHEUS_WRITE_ENDPOINT:-https://prometheus-0.");
      assertThat(second.remove("endpoint")).asString().contains("LOUPE_PROMETHEUS_WRITE_ENDPOINT_2:-https://prometheus-1.");
      assertThat(second).as(name).isEqualTo(first);
    }
  }

  /** The alert rules need `service` on every series: the metrics pipeline sets it from service.name. */
  @Test
  void everyMetricPointGetsTheServiceLabelOfTheLabelContract() throws IOException {
    String text = Files.readString(BASE);
    assertThat(text).contains("processors: [memory_limiter, transform/service-label, batch]\n      exporters: [prometheus_remote_write]")
        .contains("set(datapoint.attributes[\"service\"], resource.attributes[\"service.name\"])")
        .contains("metrics_path: /metrics/per-object");
  }

  @Test
  void theLocalVariantIsNotFitForProduction() throws IOException {
    assertThat(CollectorConfig.load(BASE, LOCAL).problems(distribution(), true))
        .anyMatch(p -> p.contains("insecure is true"))
        .anyMatch(p -> p.contains("no auth.authenticator"));
  }

  @Test
  void aPipelineNamingAnUndefinedComponentIsCaught() throws IOException {
    Path base = copy(BASE, "exporters: [otlp_grpc/tempo]", "exporters: [otlp_grpc/tempo, otlp_grpc/jaeger]");
    assertThat(problems(base, PRODUCTION, true)).containsExactly("pipeline traces/sampled: exporters 'otlp_grpc/jaeger' is not defined");
  }

  @Test
  void aComponentTheDistributionLacksIsCaught() throws IOException {
    Path base = copy(BASE, "  otlp_http/loki:\n", "  loki:\n    endpoint: https://loki:3100/loki/api/v1/push\n  otlp_http/loki:\n");
    assertThat(problems(base, PRODUCTION, true)).containsExactly(
        "exporters: 'loki' is of type 'loki', which loupe-otelcol 0.161.0-loupe does not have");
  }

  /** Types renamed before release 0.161.0 are still accepted there under their old names, each with a warning. */
  @Test
  void aDeprecatedTypeNameIsCaught() throws IOException {
    Path base = copy(BASE, "  otlp_http/loki:\n", "  otlphttp/loki:\n");
    assertThat(problems(base, PRODUCTION, true)).contains(
        "exporters: 'otlphttp/loki' is of type 'otlphttp', which loupe-otelcol 0.161.0-loupe does not have");
  }

  @Test
  void memoryLimiterOutOfFirstPlaceIsCaught() throws IOException {
    Path base = copy(BASE, "processors: [memory_limiter, redaction, transform/end-user-address, batch]",
        "processors: [redaction, memory_limiter, transform/end-user-address, batch]");
    assertThat(problems(base, PRODUCTION, true))
        .containsExactly("pipeline logs: memory_limiter must be the first processor, not [redaction, memory_limiter,"
            + " transform/end-user-address, batch]");
  }

  @Test
  void insecureTlsInProductionIsCaught() throws IOException {
    Path production = copy(PRODUCTION, "  otlp_grpc/tempo:\n    tls:\n", "  otlp_grpc/tempo:\n    tls:\n      insecure: true\n");
    assertThat(problems(BASE, production, true)).containsExactly("exporters.otlp_grpc/tempo.tls.insecure: insecure is true; production links use TLS");
  }

  @Test
  void anUnauthenticatedReceiverInProductionIsCaught() throws IOException {
    String text = Files.readString(PRODUCTION);
    int grpc = text.indexOf("      grpc:");
    int http = text.indexOf("      http:");
    String withoutGrpcAuth = text.substring(0, grpc) + text.substring(grpc, http).replace(
        "        auth:\n          authenticator: bearertokenauth/agents\n", "") + text.substring(http);
    Path production = broken.resolve("production.yaml");
    Files.writeString(production, withoutGrpcAuth);
    assertThat(problems(BASE, production, true)).containsExactly("receivers.otlp.protocols.grpc: no auth.authenticator");
  }

  /** Browsers reach the gateway without a token (a browser keeps no secret), but not without TLS. */
  @Test
  void theBrowsersReceiverNeedsTlsButNoTokenInProduction() throws IOException {
    assertThat(CollectorConfig.load(BASE, PRODUCTION).toYaml()).contains("otlp/frontend");
    Path production = copy(PRODUCTION, "  otlp/frontend:\n    protocols:\n      http:\n        tls:\n",
        "  otlp/frontend:\n    protocols:\n      http:\n        tls_removed:\n");
    assertThat(problems(BASE, production, true)).containsExactly("receivers.otlp/frontend.protocols.http: no tls");
  }

  /** What a browser sends is untrusted: were it to feed metrics, any page could write the series the rules read. */
  @Test
  void aBrowsersReceiverFeedingMetricsIsCaught() throws IOException {
    Path base = copy(BASE, "    metrics:\n      receivers: [otlp, span_metrics, prometheus/legacy]",
        "    metrics:\n      receivers: [otlp, otlp/frontend, span_metrics, prometheus/legacy]");
    assertThat(problems(base, LOCAL, false)).containsExactly(
        "pipeline metrics: receiver 'otlp/frontend' takes browsers' data (CORS); it must not feed metrics");
  }

  /** The agents' receiver has a token and the browsers' none: one pipeline for both would let browsers pass as agents. */
  @Test
  void aBrowsersReceiverSharingTheAgentsPipelineIsCaught() throws IOException {
    Path base = copy(BASE, "    traces/in:\n      receivers: [otlp]", "    traces/in:\n      receivers: [otlp, otlp/frontend]");
    assertThat(problems(base, LOCAL, false)).containsExactly(
        "pipeline traces/in: browsers' receivers [otlp/frontend] share it with [otlp, otlp/frontend]; they need pipelines of their own",
        "pipeline traces/in: takes browsers' data, so must run memory_limiter, transform/frontend-services, "
            + "transform/frontend-bounds first, not [memory_limiter, redaction, transform/end-user-address]");
  }

  /** Without the filter, any sender could write spans and records of any service through the browsers' receiver. */
  @Test
  void aBrowsersPipelineWithoutTheFrontEndsFilterIsCaught() throws IOException {
    Path base = copy(BASE, "      processors: [memory_limiter, transform/frontend-services, transform/frontend-bounds, redaction, "
        + "transform/end-user-address, batch]", "      processors: [memory_limiter, redaction, transform/end-user-address, batch]");
    assertThat(problems(base, LOCAL, false)).containsExactly("pipeline logs/frontend: takes browsers' data, so must run "
        + "memory_limiter, transform/frontend-services, transform/frontend-bounds first, not "
        + "[memory_limiter, redaction, transform/end-user-address, batch]");
  }

  @Test
  void anOrderIdAsASpanMetricDimensionIsCaught() throws IOException {
    Path base = copy(BASE, "      - name: http.route\n", "      - name: http.route\n      - name: order.id\n");
    assertThat(problems(base, PRODUCTION, true))
        .containsExactly("connectors.span_metrics: dimension 'order.id' is unbounded; metrics must never carry it");
  }

  @Test
  void brokenYamlIsReportedWithItsFile() throws IOException {
    Path base = copy(BASE, "receivers:\n  otlp:", "receivers:\n otlp: [");
    assertThatThrownBy(() -> CollectorConfig.load(base, PRODUCTION)).hasMessageContaining("gateway.yaml is not valid YAML");
  }

  @Test
  void mergingReplacesListsAndMergesMaps() throws IOException {
    String merged = CollectorConfig.load(BASE, PRODUCTION).toYaml();
    assertThat(merged).contains("bearertokenauth/agents").contains("memory_limiter").contains("https://loki:3100/otlp");
    assertThat(CollectorConfig.parse(write("merged.yaml", merged))).containsKeys("receivers", "service");
  }

  private List<String> problems(Path base, Path override, boolean production) throws IOException {
    return CollectorConfig.load(base, override).problems(distribution(), production);
  }

  private Path copy(Path original, String from, String to) throws IOException {
    String text = Files.readString(original);
    assertThat(text).as("the broken copy needs '" + from + "' in " + original.getFileName()).contains(from);
    return write(original.getFileName().toString(), text.replaceFirst(java.util.regex.Pattern.quote(from),
        java.util.regex.Matcher.quoteReplacement(to)));
  }

  private Path write(String name, String text) throws IOException {
    Path file = broken.resolve(name);
    Files.writeString(file, text);
    return file;
  }
}
