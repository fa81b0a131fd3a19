package dev.loupe.drills;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Debian's Prometheus on a free loopback port with temporary data: it takes remote writes (the
 * Collector path) and exemplars, evaluates the rules its config names, and resends alerts every 2 s
 * (the default minute would delay the first page).
 */
public final class Prometheus extends Daemon {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Prometheus(Daemon started) {
    super(started);
  }

  /**
   * Starts Prometheus with {@code config} (YAML text, written to {@code dir/prometheus.yml}).
   *
   * @throws IllegalStateException if the binary is missing, or the config is refused (with its log)
   */
  public static Prometheus start(Path dir, String config) throws IOException, InterruptedException {
    return start(dir, config, Tools.freePort());
  }

  /** As {@link #start(Path, String)}, on {@code port} of 127.0.0.1 (chosen before, to be named in other configs). */
  public static Prometheus start(Path dir, String config, int port) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path file = dir.resolve("prometheus.yml");
    Files.writeString(file, config);
    URI url = URI.create("http://127.0.0.1:" + port);
    return new Prometheus(Daemon.start("Prometheus", dir, List.of("prometheus",
        "--config.file=" + file,
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--web.enable-remote-write-receiver",
        "--enable-feature=exemplar-storage",
        "--rules.alert.resend-delay=2s",
        "--web.enable-lifecycle"), Map.of(), url, url.resolve("/-/ready"), Duration.ofSeconds(60)));
  }

  /**
   * The production Prometheus config, {@code collector-config/backends/prometheus.yml}, with only what
   * must change on this machine changed: every 2 s instead of 15 s, the rule files by absolute path,
   * Alertmanager's address, and the scrape targets of the Collector's and Prometheus's own metrics.
   * Every label the shipped scrape jobs set is kept.
   *
   * @throws IllegalStateException if the shipped config lacks a job this method must re-target
   */
  @SuppressWarnings("unchecked")
  public static String shippedConfig(Alertmanager alertmanager, String collectorMetrics, int port) throws IOException {
    Path repository = Tools.repository();
    Map<String, Object> config;
    try (var in = Files.newInputStream(repository.resolve("collector-config/backends/prometheus.yml"))) {
      config = new org.yaml.snakeyaml.Yaml().load(in);
    }
    Map<String, Object> global = (Map<String, Object>) config.get("global");
    global.put("scrape_interval", "2s");
    global.put("evaluation_interval", "2s");
    config.put("rule_files", ruleFiles());
    config.put("alerting", Map.of("alertmanagers", List.of(Map.of("static_configs", List.of(Map.of(
        "targets", List.of(alertmanager.url().getHost() + ":" + alertmanager.url().getPort())))))));
    Map<String, String> targets = Map.of("otel-collector", collectorMetrics, "prometheus", "127.0.0.1:" + port);
    Set<String> retargeted = new java.util.HashSet<>();
    for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
      String target = targets.get((String) job.get("job_name"));
      if (target != null) {
        for (Map<String, Object> statics : (List<Map<String, Object>>) job.get("static_configs")) {
          statics.put("targets", List.of(target));
        }
        retargeted.add((String) job.get("job_name"));
      }
    }
    if (!retargeted.equals(targets.keySet())) {
      throw new IllegalStateException("collector-config/backends/prometheus.yml has scrape jobs " + retargeted
          + ", expected " + targets.keySet());
    }
    org.yaml.snakeyaml.DumperOptions style = new org.yaml.snakeyaml.DumperOptions();
    style.setDefaultFlowStyle(org.yaml.snakeyaml.DumperOptions.FlowStyle.BLOCK);
    return new org.yaml.snakeyaml.Yaml(style).dump(config);
  }

  /**
   * A config for the direct path of {@code docs/label-contract.md}, where no Collector runs: every 2 s,
   * the repository's rule files, Alertmanager, and two scrape jobs — {@code loupe-agent} (each agent's
   * Prometheus endpoint, {@code 127.0.0.1:<port>}, labelled with its {@code service}) and {@code rabbitmq}
   * (the broker's {@code /metrics/per-object} on {@code brokerMetricsPort}, {@code service="rabbitmq"}).
   *
   * @param agentPorts service name ({@code shop-api}, ...) to the port of its agent's Prometheus endpoint
   */
  public static String directConfig(Alertmanager alertmanager, Map<String, Integer> agentPorts, int brokerMetricsPort)
      throws IOException {
    StringBuilder y = new StringBuilder();
    y.append("global:\n  scrape_interval: 2s\n  evaluation_interval: 2s\n");
    y.append("rule_files:\n");
    for (String f : ruleFiles()) {
      y.append("  - ").append(f).append('\n');
    }
    y.append("alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [\"")
        .append(alertmanager.url().getHost()).append(':').append(alertmanager.url().getPort()).append("\"]\n");
    y.append("scrape_configs:\n  - job_name: loupe-agent\n    static_configs:\n");
    for (var e : new java.util.TreeMap<>(agentPorts).entrySet()) {
      y.append("      - targets: [\"127.0.0.1:").append(e.getValue()).append("\"]\n")
          .append("        labels: {service: ").append(e.getKey()).append("}\n");
    }
    y.append("  - job_name: rabbitmq\n    metrics_path: /metrics/per-object\n    static_configs:\n")
        .append("      - targets: [\"127.0.0.1:").append(brokerMetricsPort).append("\"]\n")
        .append("        labels: {service: rabbitmq}\n");
    return y.toString();
  }

  /** Every rule file of {@code alert-rules/rules}, absolute, sorted. */
  private static List<String> ruleFiles() throws IOException {
    List<String> rules = new java.util.ArrayList<>();
    try (var files = Files.list(Tools.repository().resolve("alert-rules/rules"))) {
      files.filter(f -> f.toString().endsWith(".yml")).sorted().forEach(f -> rules.add(f.toString()));
    }
    return rules;
  }

  /** The remote-write endpoint a Collector sends to. */
  public URI remoteWrite() {
    return url().resolve("/api/v1/write");
  }

  /**
   * An instant query: the {@code data.result} array of the answer (an empty array when nothing matches).
   *
   * @throws IllegalStateException when Prometheus refuses the query (a parse error, say), with its answer
   */
  public JsonNode query(String promql) throws IOException, InterruptedException {
    JsonNode answer = JSON.readTree(get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
        .body());
    if (!"success".equals(answer.path("status").asText())) {
      throw new IllegalStateException("Prometheus refused " + promql + ": " + answer);
    }
    return answer.path("data").path("result");
  }

  /** The sum of an instant query's sample values, or empty when nothing matches. */
  public OptionalDouble sum(String promql) throws IOException, InterruptedException {
    JsonNode result = query(promql);
    if (result.isEmpty()) {
      return OptionalDouble.empty();
    }
    double total = 0;
    for (JsonNode series : result) {
      total += Double.parseDouble(series.path("value").get(1).asText());
    }
    return OptionalDouble.of(total);
  }

  /** The alerts Prometheus holds now (pending or firing), as its {@code /api/v1/alerts} lists them. */
  public JsonNode alerts() throws IOException, InterruptedException {
    return JSON.readTree(get("/api/v1/alerts").body()).path("data").path("alerts");
  }
}
