package dev.loupe.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docs/label-contract.md holds on both paths: the shipped Prometheus scrape config
 * (collector-config/backends/prometheus.yml) and the gateway Collector (collector-config/gateway.yaml)
 * give every series the rules read its {@code service}, the Collector's own metrics included, and
 * every series a rule reads is written down in the contract.
 */
class LabelContractTest {

  private static final Path CONTRACT = Tools.REPOSITORY.resolve("docs/label-contract.md");
  private static final Path PROMETHEUS = Tools.REPOSITORY.resolve("collector-config/backends/prometheus.yml");
  private static final Path GATEWAY = Tools.REPOSITORY.resolve("collector-config/gateway.yaml");
  /** What the Collector's own series are called in the rules, e.g. up{service="otel-collector"}. */
  private static final String COLLECTOR = "otel-collector";
  private static final Pattern SETS_SERVICE_FROM_RESOURCE = Pattern.compile(
      "set\\(\\s*(datapoint\\.)?attributes\\[\"service\"]\\s*,\\s*resource\\.attributes\\[\"service\\.name\"]\\s*\\)");

  @Test
  void everyPrometheusScrapeNamesAServiceOfTheContract() throws Exception {
    Set<String> services = contractServices();
    List<Map<String, Object>> scrapes = list(yaml(PROMETHEUS).get("scrape_configs"));
    assertThat(scrapes).isNotEmpty();
    for (Map<String, Object> scrape : scrapes) {
      for (Map<String, Object> targets : list(scrape.get("static_configs"))) {
        Object service = map(targets.get("labels")).get("service");
        assertThat(service).as("service label of scrape job " + scrape.get("job_name") + " " + targets.get("targets"))
            .isNotNull();
        assertThat(services).as("services of the contract").contains(String.valueOf(service));
      }
    }
  }

  /** The Collector's own metrics (its telemetry port, from gateway.yaml) are scraped as otel-collector. */
  @Test
  void theCollectorsOwnMetricsAreScrapedAsTheServiceTheRulesName() throws Exception {
    Map<String, Object> telemetry = map(map(yaml(GATEWAY).get("service")).get("telemetry"));
    List<Integer> ports = new ArrayList<>();
    for (Map<String, Object> reader : list(map(telemetry.get("metrics")).get("readers"))) {
      Object port = map(map(map(reader.get("pull")).get("exporter")).get("prometheus")).get("port");
      if (port != null) {
        ports.add(Integer.valueOf(withDefaults(String.valueOf(port))));
      }
    }
    assertThat(ports).as("the Collector exposes its own metrics for Prometheus to pull").hasSize(1);

    List<String> labelled = new ArrayList<>();
    for (Map<String, Object> scrape : list(yaml(PROMETHEUS).get("scrape_configs"))) {
      for (Map<String, Object> targets : list(scrape.get("static_configs"))) {
        for (String target : strings(targets.get("targets"))) {
          if (target.endsWith(":" + ports.get(0))) {
            labelled.add(String.valueOf(map(targets.get("labels")).get("service")));
          }
        }
      }
    }
    assertThat(labelled).as("scrapes of the Collector's port " + ports.get(0)).containsExactly(COLLECTOR);
    assertThat(Files.readString(Tools.RULES.resolve("loupe-recording.yml")) + Files.readString(Tools.RULES.resolve("loupe-alerts.yml")))
        .as("the rules select the Collector by that name").contains("up{service=\"" + COLLECTOR + "\"}");

    // if the Collector names itself, or pushes its own metrics through its pipeline (where
    // transform/service-label turns service.name into `service`), the name is the same
    // the resource is a list of name/value attributes (the map form is deprecated since 0.1xx)
    Object ownName = list(map(telemetry.get("resource")).get("attributes")).stream()
        .filter(a -> "service.name".equals(a.get("name"))).map(a -> a.get("value")).findFirst().orElse(null);
    boolean pushes = list(map(telemetry.get("metrics")).get("readers")).stream().anyMatch(r -> r.containsKey("periodic"));
    if (ownName != null || pushes) {
      assertThat(ownName).as("service.telemetry.resource service.name of the Collector").isEqualTo(COLLECTOR);
    }
  }

  /** Through the Collector, `service` is the resource's service.name: every metrics pipeline to Prometheus sets it. */
  @Test
  void everyMetricsPipelineToPrometheusCopiesServiceNameToService() throws Exception {
    Map<String, Object> gateway = yaml(GATEWAY);
    Map<String, Object> processors = map(gateway.get("processors"));
    int checked = 0;
    for (Map.Entry<String, Object> pipeline : map(map(gateway.get("service")).get("pipelines")).entrySet()) {
      Map<String, Object> p = map(pipeline.getValue());
      boolean toPrometheus = strings(p.get("exporters")).stream()
          .anyMatch(e -> e.replace("_", "").startsWith("prometheusremotewrite"));
      if (!pipeline.getKey().startsWith("metrics") || !toPrometheus) {
        continue;
      }
      checked++;
      List<String> statements = new ArrayList<>();
      for (String processor : strings(p.get("processors"))) {
        collectStrings(processors.get(processor), statements);
      }
      assertThat(statements).as("statements of pipeline " + pipeline.getKey())
          .anyMatch(s -> SETS_SERVICE_FROM_RESOURCE.matcher(s).find());
    }
    assertThat(checked).as("metrics pipelines exporting to Prometheus").isPositive();
  }

  /** The Collector's own scrapes (RabbitMQ, legacy /metrics) become service.name = job name: a contract service. */
  @Test
  void theCollectorsScrapeJobsAreNamedForServicesOfTheContract() throws Exception {
    Set<String> services = contractServices();
    List<String> jobs = new ArrayList<>();
    for (Map.Entry<String, Object> receiver : map(yaml(GATEWAY).get("receivers")).entrySet()) {
      if (receiver.getKey().equals("prometheus") || receiver.getKey().startsWith("prometheus/")) {
        for (Map<String, Object> scrape : list(map(map(receiver.getValue()).get("config")).get("scrape_configs"))) {
          jobs.add(String.valueOf(scrape.get("job_name")));
        }
      }
    }
    assertThat(jobs).as("scrape jobs of the Collector").isNotEmpty();
    assertThat(services).containsAll(jobs);
  }

  @Test
  void everySeriesARuleReadsIsInTheContract() throws Exception {
    Set<String> contract = contractSeries();
    Set<String> read = new TreeSet<>();
    for (Path f : RulesTest.ruleFiles()) {
      for (Map<String, Object> group : list(yaml(f).get("groups"))) {
        for (Map<String, Object> rule : list(group.get("rules"))) {
          read.addAll(seriesReadBy(String.valueOf(rule.get("expr"))));
        }
      }
    }
    assertThat(read).contains("jvm_cpu_count", "up", "db_client_connections_timeouts_total", "loupe_messages_lost_total");
    for (String series : read) {
      assertThat(contract.stream().anyMatch(c -> series.matches(c.replace("*", "[a-z_]+"))))
          .as(series + " is read by a rule and written down in docs/label-contract.md").isTrue();
    }
  }

  @Test
  void aCollectorSettingReadsAsItsDefault() {
    assertThat(withDefaults("${env:LOUPE_COLLECTOR_METRICS_PORT:-8888}")).isEqualTo("8888");
    assertThat(withDefaults("otel-collector:8888")).isEqualTo("otel-collector:8888");
  }

  /** The parser behind the check above finds metric names, and only them. */
  @Test
  void seriesReadByAnExpressionAreItsMetricNames() {
    assertThat(seriesReadBy("# the rate of foo, by service\n"
        + "sum by (service, le) (rate(foo_bucket{le=~\"1|1.0\", job!=\"x\"}[5m] offset 1m))"
        + " / on (service) group_left bar:recorded:rate5m unless on () max(up{service=\"otel-collector\"}) == bool 0"
        + " and histogram_quantile(0.95, baz_seconds) > 2 * vector(1)"))
        .containsExactlyInAnyOrder("foo_bucket", "up", "baz_seconds");
  }

  private static final Set<String> PROMQL_WORDS = Set.of("sum", "min", "max", "avg", "count", "group", "stddev", "topk",
      "bottomk", "quantile", "rate", "irate", "increase", "delta", "deriv", "resets", "changes", "histogram_quantile",
      "last_over_time", "max_over_time", "min_over_time", "avg_over_time", "count_over_time", "sum_over_time",
      "present_over_time", "absent", "absent_over_time", "vector", "scalar", "time", "timestamp", "round", "clamp_min",
      "clamp_max", "label_replace", "label_join", "by", "without", "on", "ignoring", "group_left", "group_right",
      "offset", "and", "or", "unless", "bool");

  static Set<String> seriesReadBy(String expr) {
    String bare = expr.replaceAll("#[^\n]*", "")
        .replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
        .replaceAll("\\{[^}]*}", "")
        .replaceAll("\\[[^]]*]", "")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "$1");
    Set<String> names = new LinkedHashSet<>();
    Matcher m = Pattern.compile("(?<![\\w.:])[a-zA-Z_][a-zA-Z0-9_:]*").matcher(bare);
    while (m.find()) {
      String word = m.group();
      if (!PROMQL_WORDS.contains(word) && !word.contains(":") && !bare.startsWith("(", m.end())) {
        names.add(word);
      }
    }
    return names;
  }

  /** The names in the contract's series table, braces expanded; `*` stands for any part of a name. */
  private static Set<String> contractSeries() throws Exception {
    String doc = Files.readString(CONTRACT);
    String table = doc.substring(doc.indexOf("## Series"));
    table = table.substring(0, table.indexOf("\n\n", table.indexOf("| series")));
    Set<String> names = new TreeSet<>();
    for (String line : table.split("\n")) {
      if (!line.startsWith("| `")) {
        continue;
      }
      Matcher m = Pattern.compile("`([a-z0-9_*{},]+)`").matcher(line.substring(0, line.indexOf(" | ", 2)));
      while (m.find()) {
        names.addAll(expand(m.group(1)));
      }
    }
    assertThat(names).as("series in docs/label-contract.md").isNotEmpty();
    return names;
  }

  private static List<String> expand(String name) {
    int open = name.indexOf('{');
    if (open < 0) {
      return List.of(name);
    }
    int close = name.indexOf('}', open);
    List<String> out = new ArrayList<>();
    for (String alternative : name.substring(open + 1, close).split(",")) {
      out.addAll(expand(name.substring(0, open) + alternative + name.substring(close + 1)));
    }
    return out;
  }

  /** The values the contract gives the `service` label. */
  private static Set<String> contractServices() throws Exception {
    for (String line : Files.readString(CONTRACT).split("\n")) {
      if (line.startsWith("| `service` |")) {
        Set<String> services = new TreeSet<>();
        Matcher m = Pattern.compile("`([a-z-]+)`").matcher(line.split("\\|")[2]);
        while (m.find()) {
          services.add(m.group(1));
        }
        return services;
      }
    }
    throw new AssertionError("docs/label-contract.md has no row for the service label");
  }

  /** A config value as the Collector resolves it when no environment variable is set: ${env:NAME:-default}. */
  static String withDefaults(String value) {
    return value.replaceAll("\\$\\{env:\\w+:-([^}]*)}", "$1");
  }

  private static void collectStrings(Object node, List<String> out) {
    if (node instanceof String s) {
      out.add(s);
    } else if (node instanceof Map<?, ?> m) {
      m.values().forEach(v -> collectStrings(v, out));
    } else if (node instanceof List<?> l) {
      l.forEach(v -> collectStrings(v, out));
    }
  }

  private static Map<String, Object> yaml(Path file) throws Exception {
    return new Yaml().load(Files.readString(file));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object node) {
    return node instanceof Map ? (Map<String, Object>) node : Map.of();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object node) {
    if (!(node instanceof List<?> l)) {
      return List.of();
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object o : l) {
      out.add(map(o));
    }
    return out;
  }

  private static List<String> strings(Object node) {
    return node instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
  }
}
