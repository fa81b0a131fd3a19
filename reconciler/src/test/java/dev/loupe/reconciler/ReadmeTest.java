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

  /** Every command line in the Kubernetes manifest and the systemd unit is one the reconciler accepts. */
  @Test
  @SuppressWarnings("unchecked")
  void theDeployExamplesRunCommandsTheReconcilerAccepts() throws Exception {
    List<List<String>> commandLines = new ArrayList<>();
    Properties config = new Properties();
    for (Object doc : new Yaml().loadAll(Files.readString(DIR.resolve("deploy/kubernetes.yaml")))) {
      Map<String, Object> d = (Map<String, Object>) doc;
      switch ((String) d.get("kind")) {
        case "ConfigMap" -> config.load(new StringReader(
            (String) ((Map<String, Object>) d.get("data")).get("reconciler.properties")));
        case "CronJob" -> commandLines.add(args(dig(d, "spec", "jobTemplate", "spec", "template", "spec")));
        case "Deployment" -> commandLines.add(args(dig(d, "spec", "template", "spec")));
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

  @SuppressWarnings("unchecked")
  private static Map<String, Object> dig(Map<String, Object> m, String... path) {
    Map<String, Object> at = m;
    for (String p : path) {
      at = (Map<String, Object>) at.get(p);
    }
    return at;
  }

  @SuppressWarnings("unchecked")
  private static List<String> args(Map<String, Object> podSpec) {
    Map<String, Object> container = ((List<Map<String, Object>>) podSpec.get("containers")).get(0);
    return (List<String>) container.get("args");
  }
}
