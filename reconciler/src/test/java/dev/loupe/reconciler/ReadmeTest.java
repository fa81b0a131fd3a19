package dev.loupe.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** reconciler/README.md and the deploy examples say what the code does. */
@SuppressWarnings("unchecked")
class ReadmeTest {

  private static final Path DIR = Databases.repository().resolve("reconciler");

  @Test
  void theReadmeOpensWithItsCheckAndTheOneCommand() throws Exception {
    String readme = Files.readString(DIR.resolve("README.md"));
    assertThat(readme).startsWith("# Lost-order reconciler\n\nCheck: `mvn verify -pl reconciler -am`\n");
    assertThat(readme.indexOf("reconciler/run --since 30d")).isBetween(0, 1500);
  }

  @Test
  void theSettingsTableListsEverySettingWithItsDefault() throws Exception {
    String readme = Files.readString(DIR.resolve("README.md"));
    Matcher row = Pattern.compile("(?m)^\\| `([a-z.-]+)` \\| ([^|]+) \\| (.+) \\|$").matcher(readme);
    Map<String, String[]> rows = new LinkedHashMap<>();
    while (row.find()) {
      if (Setting.ofKey(row.group(1)) != null || row.group(2).contains("`") || row.group(2).contains("(none)")) {
        rows.put(row.group(1), new String[] {row.group(2).strip(), row.group(3).strip()});
      }
    }
    List<String> keys = new ArrayList<>();
    for (Setting s : Setting.values()) {
      keys.add(s.key());
    }
    assertThat(rows.keySet()).containsExactlyElementsOf(keys);
    for (Setting s : Setting.values()) {
      String expected = s == Setting.SHOP_DB_QUERY || s == Setting.MES_DB_QUERY ? "the sample apps' schema (below)"
          : s.defaultValue().isEmpty() ? "(none)" : "`" + s.defaultValue() + "`";
      assertThat(rows.get(s.key())[0]).as(s.key() + " default").isEqualTo(expected);
      assertThat(rows.get(s.key())[1]).as(s.key() + " description").isEqualTo(s.description());
    }
  }

  /** The stages table names every stage, in order; the metrics table every metric the reconciler exports. */
  @Test
  void theStagesAndMetricsTablesAreTheCodes() throws Exception {
    String readme = Files.readString(DIR.resolve("README.md"));
    String stages = readme.substring(readme.indexOf("## Stages"), readme.indexOf("## Outputs"));
    List<String> rows = new ArrayList<>();
    Matcher row = Pattern.compile("(?m)^\\| ([^|`]+?) \\| .* \\|$").matcher(stages);
    while (row.find()) {
      rows.add(row.group(1));
    }
    List<String> labels = new ArrayList<>(List.of("stage"));
    for (Stage stage : Stage.values()) {
      labels.add(stage.label());
    }
    assertThat(rows).as("the stages table").containsExactlyElementsOf(labels);
    for (Stage stage : Stage.values()) {
      if (stage != Stage.IN_PRODUCTION) {
        assertThat(readme).as("the metrics table's stage label values").contains("`" + stage.id() + "`");
      }
    }

    List<String> metrics = new ArrayList<>();
    Matcher metric = Pattern.compile("(?m)^\\| `(loupe_[a-z_]+)(\\{[a-z]+\\})?` \\|").matcher(readme);
    while (metric.find()) {
      metrics.add(metric.group(1) + (metric.group(2) == null ? "" : metric.group(2)));
    }
    List<String> exported = new ArrayList<>();
    ReconcilerMetrics registry = new ReconcilerMetrics();
    registry.counted();
    registry.completed(new Reconciliation.Result(java.time.Instant.EPOCH, java.time.Instant.EPOCH, 0,
        Map.of(Stage.PRICED, 0L), java.time.Duration.ZERO));
    for (var family : java.util.Collections.list(registry.registry.metricFamilySamples())) {
      List<String> names = family.samples.get(0).labelNames;
      exported.add(family.samples.get(0).name + (names.isEmpty() ? "" : "{" + String.join(",", names) + "}"));
    }
    assertThat(metrics).as("the metrics table").containsExactlyInAnyOrderElementsOf(exported);
  }

  @Test
  void theQueriesShownAreTheDefaults() throws Exception {
    String readme = Files.readString(DIR.resolve("README.md"));
    List<String> blocks = new ArrayList<>();
    Matcher sql = Pattern.compile("(?s)```sql\\n(.*?)\\n```").matcher(readme);
    while (sql.find()) {
      blocks.add(sql.group(1));
    }
    assertThat(blocks).contains(Setting.SHOP_DB_QUERY.defaultValue(), Setting.MES_DB_QUERY.defaultValue());
    String grants = Files.readString(DIR.resolve("deploy/grants-shop-db.sql"))
        + Files.readString(DIR.resolve("deploy/grants-mes-db.sql"));
    for (String line : grants.lines().filter(l -> l.startsWith("GRANT")).toList()) {
      assertThat(readme).as("the README shows " + line).contains(line);
    }
  }

  @Test
  void theExamplePropertiesAreValidSettings() throws Exception {
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(DIR.resolve("deploy/reconciler.properties"))));
    Settings s = Settings.parse(Settings.fromProperties(p));
    assertThat(s.shopDb().url()).contains("sslmode=verify-full");
    assertThat(p.stringPropertyNames()).noneMatch(k -> k.contains("password"));
  }

  /** Every command line in the Kubernetes manifests and the systemd unit is one the reconciler accepts. */
  @Test
  void theDeployExamplesRunCommandsTheReconcilerAccepts() throws Exception {
    List<List<String>> commandLines = new ArrayList<>();
    Properties config = new Properties();
    for (Map<String, Object> d : kubernetes()) {
      switch ((String) d.get("kind")) {
        case "ConfigMap" -> config.load(new StringReader(
            (String) ((Map<String, Object>) d.get("data")).get("reconciler.properties")));
        case "CronJob" -> commandLines.add(args(dig(d, "spec", "jobTemplate", "spec", "template", "spec")));
        case "Deployment" -> commandLines.add(args(dig(d, "spec", "template", "spec")));
        case "Service", "PersistentVolumeClaim" -> { }
        default -> throw new AssertionError("unexpected kind " + d.get("kind"));
      }
    }
    String unit = Files.readString(DIR.resolve("deploy/loupe-reconciler.service"));
    Matcher exec = Pattern.compile("(?m)^ExecStart=.*?loupe-reconciler\\.jar (.*)$").matcher(unit);
    assertThat(exec.find()).isTrue();
    commandLines.add(List.of(exec.group(1).split(" ")));
    assertThat(commandLines).hasSize(3);
    Path configFile = Files.createTempFile("reconciler", ".properties");
    try {
      try (var w = Files.newBufferedWriter(configFile)) {
        config.store(w, null);
      }
      for (List<String> line : commandLines) {
        List<String> a = new ArrayList<>();
        for (int i = 0; i < line.size(); i++) {
          a.add(line.get(i).equals("/etc/loupe/reconciler.properties") ? configFile.toString() : line.get(i));
        }
        assertThat(Settings.parse(Main.values(a.toArray(String[]::new), Map.of()))).as(line.toString()).isNotNull();
      }
    } finally {
      Files.delete(configFile);
    }
  }

  /**
   * Prometheus (namespace loupe-monitoring) reaches the periodic reconciler: the scrape target of
   * collector-config/backends/prometheus.yml is the Service's cluster name and port, the Service selects the
   * Deployment's pods and sends to the port the reconciler's metrics.port opens; the volume the pods
   * mount is claimed, and writable to the image's user.
   */
  @Test
  void prometheusReachesThePeriodicReconcilerThroughItsService() throws Exception {
    Map<String, Map<String, Object>> byKind = new LinkedHashMap<>();
    for (Map<String, Object> d : kubernetes("settings.yaml", "periodic.yaml")) {
      assertThat(byKind.put((String) d.get("kind"), d)).as("one " + d.get("kind")).isNull();
    }
    Map<String, Object> deployment = byKind.get("Deployment");
    Map<String, Object> service = byKind.get("Service");
    Map<String, Object> claim = byKind.get("PersistentVolumeClaim");
    assertThat(deployment).isNotNull();
    assertThat(service).isNotNull();
    assertThat(claim).isNotNull();

    Map<String, Object> pod = dig(deployment, "spec", "template");
    Map<String, Object> podLabels = dig(pod, "metadata", "labels");
    Map<String, Object> selector = dig(service, "spec", "selector");
    assertThat(podLabels).as("the Deployment's pod labels").containsAllEntriesOf(selector);
    assertThat(dig(deployment, "spec", "selector", "matchLabels")).isEqualTo(selector);

    Settings settings = Settings.parse(Main.values(args(dig(pod, "spec")).stream()
        .filter(a -> !a.equals("--config") && !a.startsWith("/etc/loupe/")).toArray(String[]::new), Map.of()));
    Map<String, Object> container = ((List<Map<String, Object>>) dig(pod, "spec").get("containers")).get(0);
    Map<String, Object> containerPort = ((List<Map<String, Object>>) container.get("ports")).get(0);
    assertThat(containerPort.get("containerPort")).as("containerPort is metrics.port").isEqualTo(settings.metricsPort());
    assertThat(settings.metricsHost()).as("listens beyond the pod's loopback").isEqualTo("0.0.0.0");
    Map<String, Object> servicePort = ((List<Map<String, Object>>) dig(service, "spec").get("ports")).get(0);
    assertThat(servicePort.get("targetPort")).isIn(containerPort.get("name"), containerPort.get("containerPort"));

    String name = (String) dig(service, "metadata").get("name");
    String namespace = (String) dig(service, "metadata").get("namespace");
    assertThat(namespace).isEqualTo(dig(deployment, "metadata").get("namespace"));
    Map<String, Object> prometheus = new Yaml().load(Files.readString(
        Databases.repository().resolve("collector-config/backends/prometheus.yml")));
    List<String> targets = new ArrayList<>();
    for (Map<String, Object> job : (List<Map<String, Object>>) prometheus.get("scrape_configs")) {
      if ("loupe-reconciler".equals(job.get("job_name"))) {
        for (Map<String, Object> statics : (List<Map<String, Object>>) job.get("static_configs")) {
          targets.addAll((List<String>) statics.get("targets"));
        }
      }
    }
    assertThat(targets).as("Prometheus in another namespace scrapes the Service by its cluster name")
        .containsExactly(name + "." + namespace + ".svc:" + servicePort.get("port"));

    List<Map<String, Object>> volumes = (List<Map<String, Object>>) dig(pod, "spec").get("volumes");
    assertThat(volumes).filteredOn(v -> v.containsKey("persistentVolumeClaim"))
        .extracting(v -> ((Map<String, Object>) v.get("persistentVolumeClaim")).get("claimName"))
        .containsExactly(dig(claim, "metadata").get("name"));
    assertThat(dig(deployment, "spec", "strategy").get("type")).as("a ReadWriteOnce volume: the old pod goes first")
        .isEqualTo("Recreate");
    Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(Files.readString(DIR.resolve("deploy/Dockerfile")));
    assertThat(user.find()).isTrue();
    Map<String, Object> security = dig(pod, "spec", "securityContext");
    assertThat(security.get("runAsUser")).isEqualTo(Integer.valueOf(user.group(1)));
    assertThat(security.get("fsGroup")).as("the volume is writable to the image's group").isEqualTo(Integer.valueOf(user.group(2)));
  }

  /** The CronJob's pod is not the one the Service selects: applied by mistake beside it, it is not scraped. */
  @Test
  void theCronJobWritesTheSameClaimAsItsOwnUserAndIsNotBehindTheService() throws Exception {
    Map<String, Object> cronJob = kubernetes("cronjob.yaml").get(0);
    Map<String, Object> pod = dig(cronJob, "spec", "jobTemplate", "spec", "template");
    Map<String, Object> service = kubernetes("periodic.yaml").stream().filter(d -> d.get("kind").equals("Service"))
        .findFirst().orElseThrow();
    Map<String, Object> labels = dig(pod, "metadata", "labels");
    assertThat(dig(service, "spec", "selector").entrySet()).as("the Service selects the CronJob's pods")
        .anyMatch(e -> !e.getValue().equals(labels.get(e.getKey())));
    assertThat(dig(pod, "spec", "securityContext").get("fsGroup")).isEqualTo(65532);
    assertThat(cronJob.get("spec")).extracting(s -> ((Map<String, Object>) s).get("concurrencyPolicy"))
        .isEqualTo("Forbid");
  }

  /** The documents of deploy/kubernetes/, or of the files named there. */
  private static List<Map<String, Object>> kubernetes(String... files) throws Exception {
    Path dir = DIR.resolve("deploy/kubernetes");
    List<Path> paths = new ArrayList<>();
    if (files.length == 0) {
      try (var all = Files.list(dir)) {
        paths.addAll(all.sorted().toList());
      }
      assertThat(paths).extracting(p -> p.getFileName().toString())
          .containsExactly("cronjob.yaml", "periodic.yaml", "settings.yaml");
    } else {
      for (String f : files) {
        paths.add(dir.resolve(f));
      }
    }
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Path p : paths) {
      for (Object doc : new Yaml().loadAll(Files.readString(p))) {
        docs.add((Map<String, Object>) doc);
      }
    }
    return docs;
  }

  private static Map<String, Object> dig(Map<String, Object> m, String... path) {
    Map<String, Object> at = m;
    for (String p : path) {
      at = (Map<String, Object>) at.get(p);
    }
    return at;
  }

  /** The arguments of the pod's container named reconciler (an init container in the CronJob). */
  private static List<String> args(Map<String, Object> podSpec) {
    List<Map<String, Object>> containers = new ArrayList<>();
    for (String kind : List.of("initContainers", "containers")) {
      if (podSpec.get(kind) != null) {
        containers.addAll((List<Map<String, Object>>) podSpec.get(kind));
      }
    }
    return (List<String>) containers.stream().filter(c -> "reconciler".equals(c.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no container named reconciler")).get("args");
  }

}
