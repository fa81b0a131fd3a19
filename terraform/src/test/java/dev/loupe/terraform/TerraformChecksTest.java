package dev.loupe.terraform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The checks of terraform/ that need no provider: formatting, and that the deployment reads every rule file,
 * Alertmanager config and template, dashboard, Collector config, backend config and agent settings file of
 * the repository, unchanged. Module {@code repository} is the one place that reads them; its outputs are
 * taken from a real {@code terraform plan} ({@code show -json}), so a path that does not exist fails here.
 */
class TerraformChecksTest {

  /**
   * Collector configs that are in the repository and deliberately not deployed, with why; any other
   * config under collector-config/ that no module reads fails {@link #everyConfigOfTheRepositoryIsDeployed}.
   */
  static final Map<String, String> NOT_DEPLOYED = Map.of(
      "collector-config/overrides/local.yaml", "a developer's machine: loopback, plain text",
      "collector-config/overrides/lgtm.yaml", "the full-stack test inside grafana/otel-lgtm");

  private static Path binary;
  private static JsonNode repository;

  @BeforeAll
  static void readTheRepositoryModule() {
    binary = Terraform.binary().orElse(null);
    if (binary != null) {
      repository = Terraform.withoutProviders(binary).outputs(Terraform.ROOT.resolve("modules/repository"),
          "repository", Map.of());
    }
  }

  private static void needTerraform() {
    assumeTrue(binary != null, Terraform.NO_BINARY);
  }

  @Test
  void everyFileIsFormattedAsTerraformFmtWants() {
    needTerraform();
    Terraform.Result fmt = Terraform.withoutProviders(binary).run(Terraform.ROOT, "fmt", "fmt", "-check",
        "-recursive", "-diff", "-no-color");
    assertThat(fmt.exit()).as("terraform fmt -check -recursive -diff:\n" + fmt.output()).isZero();
  }

  @Test
  void everyConfigOfTheRepositoryIsDeployed() throws IOException {
    needTerraform();
    Set<String> read = new TreeSet<>();
    repository.get("files_read").forEach(f -> read.add(f.asText()));

    Set<String> deployable = new TreeSet<>();
    deployable.addAll(files("alert-rules/rules", "glob:*.yml"));
    deployable.add("alert-rules/alertmanager/alertmanager.yml");
    deployable.addAll(files("alert-rules/alertmanager/templates", "glob:*.tmpl"));
    deployable.addAll(dashboards());
    deployable.add("collector-config/gateway.yaml");
    deployable.addAll(files("collector-config/overrides", "glob:*.yaml"));
    deployable.addAll(files("collector-config/backends", "glob:*.{yaml,yml}"));
    deployable.addAll(files("agent-extension/config", "glob:*.properties"));
    deployable.removeAll(NOT_DEPLOYED.keySet());

    assertThat(read).as("files module repository reads (every one then goes to a release: the environments' "
        + "terraform test); a new config must be deployed or named in NOT_DEPLOYED with why")
        .containsAll(deployable);
    assertThat(deployable).as("there is something to deploy").hasSizeGreaterThan(10);
  }

  @Test
  void everyFileAModuleReadsExists() throws IOException {
    needTerraform();
    // what the plan read: terraform itself fails a file() of a missing path, so these all exist; and
    // none is outside the repository
    repository.get("files_read").forEach(f -> assertThat(Terraform.REPOSITORY.resolve(f.asText()))
        .as("read by module repository").isRegularFile());
    // every other module reads only files of its own, by ${path.module}/...; only module repository reads
    // the repository's folders, so the list above is the whole of what is deployed
    Pattern read = Pattern.compile("\\b(file|templatefile|fileset|filebase64)\\(\\s*\"([^\"]*)\"");
    Pattern chartPath = Pattern.compile("\\bchart\\s*=\\s*\"\\$\\{path\\.module\\}/([^\"]+)\"");
    List<String> reads = new ArrayList<>();
    for (Path tf : Terraform.projectFiles()) {
      if (!tf.toString().endsWith(".tf")) {
        continue;
      }
      String text = Files.readString(tf);
      Matcher m = read.matcher(text);
      while (m.find()) {
        String path = m.group(2);
        reads.add(Terraform.ROOT.relativize(tf) + ": " + path);
        if (tf.startsWith(Terraform.ROOT.resolve("modules/repository"))) {
          assertThat(path).as(tf + " reads under the repository's root").startsWith("${local.root}/");
        } else {
          assertThat(path).as(tf + " reads only its own files").startsWith("${path.module}/").doesNotContain("..");
          assertThat(tf.getParent().resolve(path.substring("${path.module}/".length()))).as(tf + " reads").exists();
        }
      }
      Matcher c = chartPath.matcher(text);
      while (c.find()) {
        assertThat(tf.getParent().resolve(c.group(1)).resolve("Chart.yaml")).as(tf + ": local chart").isRegularFile();
      }
    }
    assertThat(reads).as("file reads found in the modules").isNotEmpty();
  }

  @Test
  void theCollectorGetsTheRepositorysFilesUnchanged() throws IOException {
    needTerraform();
    JsonNode collector = repository.get("collector_files");
    assertThat(collector.get("gateway.yaml").asText()).isEqualTo(read("collector-config/gateway.yaml"));
    for (String override : List.of("production.yaml", "scale-out-routing.yaml", "scale-out-sampling.yaml", "prometheus-replicas.yaml")) {
      assertThat(collector.get(override).asText()).as(override).isEqualTo(read("collector-config/overrides/" + override));
    }
  }

  @Test
  void theRuleGroupsAreTheRepositorys() throws IOException {
    needTerraform();
    Yaml yaml = new Yaml();
    Map<String, Object> deployed = new TreeMap<>();
    repository.get("rule_files").fields().forEachRemaining(e -> deployed.put(e.getKey(), yaml.load(e.getValue().asText())));
    Map<String, Object> repo = new TreeMap<>();
    for (String f : files("alert-rules/rules", "glob:*.yml")) {
      repo.put(Path.of(f).getFileName().toString(), yaml.load(read(f)));
    }
    assertThat(deployed).isEqualTo(repo);
    assertThat(repo).as("rule files in the repository").isNotEmpty();
  }

  @Test
  void theAgentSettingsAreEachServicesPropertiesAsTheAgentReadsThem() throws IOException {
    needTerraform();
    // java.util.Properties is the parser the agent's configuration-file option uses
    Map<String, Map<String, String>> expected = new TreeMap<>();
    for (String f : files("agent-extension/config", "glob:*.properties")) {
      Properties p = new Properties();
      p.load(new StringReader(read(f)));
      Map<String, String> settings = new TreeMap<>();
      p.stringPropertyNames().forEach(k -> settings.put(k, p.getProperty(k)));
      expected.put(Path.of(f).getFileName().toString().replace(".properties", ""), settings);
    }
    Map<String, Map<String, String>> parsed = new TreeMap<>();
    repository.get("agent_settings").fields().forEachRemaining(service -> {
      Map<String, String> settings = new TreeMap<>();
      service.getValue().fields().forEachRemaining(e -> settings.put(e.getKey(), e.getValue().asText()));
      parsed.put(service.getKey(), settings);
    });
    assertThat(parsed).isEqualTo(expected);
    assertThat(expected).containsKeys("shop-api", "crm-api", "mes-api");
  }

  /**
   * The Grafana dashboards under dashboards/: every JSON document there with a {@code panels} list, outside a
   * build's {@code target/} and {@code node_modules/} (so a package.json is not one).
   */
  static Set<String> dashboards() throws IOException {
    Set<String> found = new TreeSet<>();
    for (String f : files("dashboards", "glob:**.json")) {
      if (f.matches("(.*/)?(target|node_modules)/.*")) {
        continue;
      }
      JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(read(f));
      if (json.has("panels")) {
        found.add(f);
      }
    }
    return found;
  }

  /** The files under {@code dir} (relative to the repository) matching {@code glob}, repository-relative. */
  static Set<String> files(String dir, String glob) throws IOException {
    Path base = Terraform.REPOSITORY.resolve(dir);
    Set<String> found = new TreeSet<>();
    if (!Files.isDirectory(base)) {
      return found;
    }
    var matcher = base.getFileSystem().getPathMatcher(glob);
    try (Stream<Path> walk = Files.walk(base)) {
      walk.filter(Files::isRegularFile).filter(p -> matcher.matches(base.relativize(p)))
          .forEach(p -> found.add(Terraform.REPOSITORY.relativize(p).toString()));
    }
    return found;
  }

  static String read(String repositoryPath) throws IOException {
    return Files.readString(Terraform.REPOSITORY.resolve(repositoryPath));
  }
}
