package dev.loupe.drills;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The drill catalogue against what it mirrors: every point has a drill; every expected alert is a rule of
 * alert-rules/rules with that severity and failure point (or a template that yields it) and has a
 * runbook; drills/README.md's table and docs/training.md's sections say what the catalogue says.
 */
class DrillCatalogueTest {

  private static final Path REPOSITORY = Tools.repository();

  @Test
  void everyFailurePointAndTheOrdersPageHaveADrill() {
    assertThat(Drills.ALL).extracting(Drill::point).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyExpectedAlertIsARuleWithThatSeverityAndFailurePointAndARunbook() throws Exception {
    Map<String, Map<String, Object>> rules = new java.util.HashMap<>();
    Map<String, Object> file = new Yaml().load(Files.readString(REPOSITORY.resolve("alert-rules/rules/loupe-alerts.yml")));
    for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        rules.put((String) rule.get("alert"), rule);
      }
    }
    for (Drill d : Drills.ALL) {
      for (Drill.Expected e : d.expected()) {
        assertThat(rules).as("drill " + d.pointName() + ": rule " + e.alertname()).containsKey(e.alertname());
        Map<String, String> labels = (Map<String, String>) rules.get(e.alertname()).get("labels");
        assertThat(labels.get("severity")).as(e.alertname() + "'s severity").isEqualTo(e.severity());
        String point = labels.get("failure_point");
        String service = labels.getOrDefault("service", e.service());
        assertThat(service).as(e.alertname() + "'s fixed service label").isEqualTo(e.service());
        assertThat(failurePoint(point, e.service())).as(e.alertname() + "'s failure point on " + e.service())
            .isEqualTo(e.failurePoint());
        assertThat(REPOSITORY.resolve(e.runbook())).as("runbook of " + e.alertname()).isRegularFile();
      }
      for (String explained : d.explained().keySet()) {
        assertThat(rules).as("drill " + d.pointName() + " explains " + explained)
            .containsKey(explained.substring(0, explained.indexOf(" on ")));
      }
    }
  }

  @Test
  void theReadmeTableIsTheCatalogue() throws Exception {
    String readme = Files.readString(REPOSITORY.resolve("drills/README.md"));
    int at = readme.indexOf("## The ten drills");
    String section = readme.substring(at, readme.indexOf("\n## ", at + 1));
    List<String> rows = section.lines().filter(l -> l.startsWith("| ") && l.matches("\\| (\\d|orders page) \\| .*"))
        .toList();
    assertThat(rows).containsExactlyElementsOf(Drills.ALL.stream().map(DrillCatalogueTest::row).toList());
  }

  @Test
  void theTrainingGuideHasASectionPerDrillNamingHowToCauseItAndItsPage() throws Exception {
    String guide = Files.readString(REPOSITORY.resolve("docs/training.md"));
    Set<String> missing = new TreeSet<>();
    for (Drill d : Drills.ALL) {
      String heading = d.point() == 0 ? "## The slow orders page" : "## Failure point " + d.point();
      int at = guide.indexOf(heading);
      if (at < 0) {
        missing.add(heading);
        continue;
      }
      int end = guide.indexOf("\n## ", at + 1);
      String section = guide.substring(at, end < 0 ? guide.length() : end);
      for (String needed : List.of("drills/run --point " + d.id(), "demo/run", "runbooks/", "Exercise", "Dashboard",
          "Time to page")) {
        if (!section.contains(needed)) {
          missing.add(heading + ": " + needed);
        }
      }
      for (Drill.Expected e : d.expected()) {
        if (!section.contains(e.alertname())) {
          missing.add(heading + ": " + e.alertname());
        }
      }
    }
    assertThat(missing).as("what docs/training.md lacks").isEmpty();
  }

  /** The README row of a drill. */
  static String row(Drill d) {
    Drill.Expected e = d.expected().get(0);
    return "| " + d.pointName() + " | " + d.cause() + " | " + e.alertname() + " on " + e.service() + " (failure point "
        + e.failurePoint() + ") | " + e.severity() + " | " + d.target().toSeconds() + " | "
        + DrillRun.human(d.resolveWithin()) + " |";
  }

  /** A failure_point label as the rule writes it: a number, or the by-service template of several rules. */
  private static String failurePoint(String label, String service) {
    if (!label.contains("{{")) {
      return label;
    }
    var m = java.util.regex.Pattern.compile("eq \\$labels\\.service \"([a-z-]+)\" }}(\\w+)").matcher(label);
    while (m.find()) {
      if (m.group(1).equals(service)) {
        return m.group(2);
      }
    }
    var otherwise = java.util.regex.Pattern.compile("\\{\\{ else }}(\\w+)\\{\\{ end }}").matcher(label);
    return otherwise.find() ? otherwise.group(1) : label;
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyAlertAboutAPartTheDrillsDoNotRunIsARuleOfThatService() throws Exception {
    Set<String> groups = new TreeSet<>();
    try (var files = Files.list(REPOSITORY.resolve("alert-rules/rules"))) {
      for (Path f : files.filter(f -> f.toString().endsWith(".yml")).toList()) {
        Map<String, Object> file = new Yaml().load(Files.readString(f));
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
          for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
            Object labels = rule.get("labels");
            Object service = labels instanceof Map ? ((Map<String, Object>) labels).get("service") : null;
            if (rule.get("alert") != null && service != null) {
              groups.add(rule.get("alert") + " on " + service);
            }
          }
        }
      }
    }
    assertThat(Drills.NOT_IN_THE_DRILLS).isNotEmpty();
    assertThat(groups).containsAll(Drills.NOT_IN_THE_DRILLS.keySet());
    // none of them is what a drill expects: a drill's own alert is never set aside
    for (Drill d : Drills.ALL) {
      assertThat(d.expected()).extracting(Drill.Expected::group).doesNotContainAnyElementsOf(Drills.NOT_IN_THE_DRILLS.keySet());
    }
  }

  @Test
  void anAlertALaterDrillRaisesAgainResolvesAfterThatDrillsFailureEnds() {
    Drill lenient = Drills.byId("8").orElseThrow();
    Drill reject = Drills.byId("5").orElseThrow();
    Drill mesPool = Drills.byId("7").orElseThrow();
    Drill shopPool = Drills.byId("2").orElseThrow();
    Map<Drill, Long> offAt = new java.util.LinkedHashMap<>();
    offAt.put(lenient, 100L);
    offAt.put(reject, 200L);
    offAt.put(shopPool, 250L);
    offAt.put(mesPool, 300L);
    // drill 7 explains OrderMessageRejected on mes-api: its consumer acknowledges and cannot store
    assertThat(DrillRun.lastToRaise("OrderMessageRejected on mes-api", reject, offAt)).isSameAs(mesPool);
    assertThat(DrillRun.lastToRaise("OrderMessageRejected on mes-api", lenient, offAt)).isSameAs(mesPool);
    // the shop's pool alert is not raised by the MES drill; the MES pool alert is its own drill's
    assertThat(DrillRun.lastToRaise("DatabaseConnectionPoolExhausted on shop-api", shopPool, offAt)).isSameAs(shopPool);
    assertThat(DrillRun.lastToRaise("DatabaseConnectionPoolExhausted on mes-api", mesPool, offAt)).isSameAs(mesPool);
    // an earlier drill does not move the end
    offAt.put(mesPool, 50L);
    assertThat(DrillRun.lastToRaise("OrderMessageRejected on mes-api", reject, offAt)).isSameAs(reject);

    // the report names the later drill only when the resolve came after that drill's failure ended
    long s = 1_000_000_000L;
    assertThat(DrillRun.resolvedCell(1079 * s, 0, reject, mesPool, 138 * s))
        .isEqualTo("yes, 1079 s after off (941 s after drill 7's failure, which raised it again, ended)");
    assertThat(DrillRun.resolvedCell(899 * s, 0, lenient, mesPool, 1098 * s)).isEqualTo("yes, 899 s after off");
    assertThat(DrillRun.resolvedCell(899 * s, 0, reject, reject, 0)).isEqualTo("yes, 899 s after off");
  }
}
