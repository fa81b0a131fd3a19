package dev.loupe.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Every alert keeps the contract: its labels and annotations, a firing and a silent promtool case,
 * a runbook with the four sections on-call needs, and a row in the README's table.
 */
class AlertCatalogueTest {

  static final String RUNBOOK_BASE = "https://git.jewelry.internal/platform/loupe/-/blob/main/alert-rules/runbooks/";
  static final List<String> RUNBOOK_SECTIONS =
      List.of("## What it means", "## How to confirm", "## Finding the affected orders", "## Mitigation");

  record Alert(String name, String expr, Map<String, String> labels, Map<String, String> annotations) {}

  static Map<String, Alert> alerts;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void load() throws Exception {
    alerts = new LinkedHashMap<>();
    for (Path f : RulesTest.ruleFiles()) {
      Map<String, Object> doc = new Yaml().load(Files.readString(f));
      for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
        for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
          if (rule.containsKey("alert")) {
            String name = (String) rule.get("alert");
            assertThat(alerts).as("alert names are unique").doesNotContainKey(name);
            alerts.put(name, new Alert(name, (String) rule.get("expr"), strings(rule.get("labels")),
                strings(rule.get("annotations"))));
          }
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> strings(Object map) {
    Map<String, String> out = new HashMap<>();
    if (map != null) {
      ((Map<String, Object>) map).forEach((k, v) -> out.put(k, String.valueOf(v)));
    }
    return out;
  }

  @Test
  void theCatalogueCoversEveryFailurePointAndTheOrdersPage() {
    assertThat(alerts).hasSizeGreaterThanOrEqualTo(20);
    Set<String> points = new TreeSet<>();
    alerts.values().forEach(a -> {
      Matcher m = Pattern.compile("\\d").matcher(a.labels().get("failure_point"));
      while (m.find()) {
        points.add(m.group());
      }
    });
    assertThat(points).contains("1", "2", "3", "4", "5", "6", "7", "8", "9");
    assertThat(alerts).containsKeys("OrdersPageSlow", "Watchdog", "ServiceDown", "RabbitmqDown");
  }

  @Test
  void everyAlertCarriesTheLabelsAndAnnotationsOnCallNeeds() {
    for (Alert a : alerts.values()) {
      String severity = a.labels().get("severity");
      if (a.name().equals("Watchdog")) {
        assertThat(severity).isEqualTo("none");
      } else {
        assertThat(severity).as(a.name()).isIn("page", "ticket");
      }
      assertThat(a.labels().get("failure_point")).as(a.name() + " failure_point")
          .matches("[1-9]|none|\\{\\{ if eq \\$labels\\.service .*\\{\\{ end \\}\\}");
      assertThat(a.labels().containsKey("service") || a.expr().matches("(?s).*(by \\(service|\\bservice[_a-z]*:).*"))
          .as(a.name() + " has a service label, set or kept by its aggregation").isTrue();
      assertThat(a.annotations()).as(a.name()).containsKeys("summary", "description", "runbook_url", "dashboard_url");
      assertThat(a.annotations().get("runbook_url")).isEqualTo(RUNBOOK_BASE + a.name() + ".md");
      assertThat(a.annotations().get("dashboard_url")).startsWith("https://grafana.jewelry.internal/d/loupe-");
    }
  }

  /**
   * The alerts about lost or stuck orders (every alert of the group {@code loupe-orders.alerts}, and
   * every alert that counts {@code orders_affected} but RabbitmqMessagesDiscarded, whose messages the
   * broker discards unseen by any client, so no span or log line names their orders) link on-call to
   * the Order journey dashboard; no other alert does. Its uid and variable are held to the generated
   * dashboard by dashboards/test/links.test.js.
   */
  static final Set<String> ORDER_JOURNEY_ALERTS = Set.of("OrderMessageUnroutable", "OrderMessageRejected",
      "OrderMessageDeadLettered", "OrderErrorSwallowed", "PriceCalculationOverdue", "OrdersStuckBeforeMes",
      "OrdersUnaccounted");

  @Test
  void theAlertsAboutLostOrdersLinkTheOrderJourney() throws Exception {
    Set<String> lossGroup = new TreeSet<>();
    String text = Files.readString(Tools.RULES.resolve("loupe-alerts.yml"));
    String group = text.substring(text.indexOf("- name: loupe-orders.alerts"));
    group = group.substring(0, group.indexOf("- name:", 1));
    Matcher m = Pattern.compile("- alert: (\\w+)").matcher(group);
    while (m.find()) {
      lossGroup.add(m.group(1));
    }
    assertThat(lossGroup).hasSize(6);
    Set<String> counting = new TreeSet<>();
    alerts.values().stream().filter(a -> a.annotations().containsKey("orders_affected")).forEach(a -> counting.add(a.name()));
    counting.remove("RabbitmqMessagesDiscarded");
    Set<String> expected = new TreeSet<>(lossGroup);
    expected.addAll(counting);
    assertThat(expected).isEqualTo(new TreeSet<>(ORDER_JOURNEY_ALERTS));
    for (Alert a : alerts.values()) {
      if (ORDER_JOURNEY_ALERTS.contains(a.name())) {
        assertThat(a.annotations().get("order_journey_url")).as(a.name())
            .isEqualTo("https://grafana.jewelry.internal/d/loupe-order-journey/order-journey");
      } else {
        assertThat(a.annotations()).as(a.name()).doesNotContainKey("order_journey_url");
      }
    }
  }

  /** Loss alerts page at once: no pending period. */
  @Test
  void aLostOrderPagesWithoutWaiting() throws Exception {
    String text = Files.readString(Tools.RULES.resolve("loupe-alerts.yml"));
    for (String name : List.of("OrderMessageUnroutable", "OrderMessageRejected", "OrderErrorSwallowed")) {
      String block = text.substring(text.indexOf("- alert: " + name));
      block = block.substring(0, block.indexOf("annotations:"));
      assertThat(block).as(name).doesNotContainPattern("\\n\\s+for:");
      assertThat(alerts.get(name).labels().get("severity")).isEqualTo("page");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyAlertHasAFiringCaseWithExactLabelsAndAnnotationsAndASilentCase() throws Exception {
    Map<String, Integer> firing = new HashMap<>();
    Map<String, Integer> silent = new HashMap<>();
    for (Path f : RulesTest.testFiles()) {
      Map<String, Object> doc = new Yaml().load(Files.readString(f));
      for (Map<String, Object> test : (List<Map<String, Object>>) doc.get("tests")) {
        for (Map<String, Object> c : (List<Map<String, Object>>) test.getOrDefault("alert_rule_test", List.of())) {
          String name = (String) c.get("alertname");
          List<Map<String, Object>> expected = (List<Map<String, Object>>) c.get("exp_alerts");
          if (expected == null || expected.isEmpty()) {
            silent.merge(name, 1, Integer::sum);
            continue;
          }
          for (Map<String, Object> e : expected) {
            assertThat((Map<String, Object>) e.get("exp_labels")).as(f.getFileName() + " " + name)
                .containsKeys("severity", "service", "failure_point");
            assertThat((Map<String, Object>) e.get("exp_annotations")).as(f.getFileName() + " " + name)
                .containsKeys("summary", "description", "runbook_url", "dashboard_url");
            if (ORDER_JOURNEY_ALERTS.contains(name)) {
              assertThat((Map<String, Object>) e.get("exp_annotations")).as(f.getFileName() + " " + name)
                  .containsKey("order_journey_url");
            }
          }
          firing.merge(name, 1, Integer::sum);
        }
      }
    }
    assertThat(firing.keySet()).as("alerts with a firing case").containsAll(alerts.keySet());
    assertThat(silent.keySet()).as("alerts with a silent case")
        .containsAll(alerts.keySet().stream().filter(n -> !n.equals("Watchdog")).toList());
    assertThat(alerts.keySet()).as("tests name only existing alerts").containsAll(firing.keySet()).containsAll(silent.keySet());
  }

  @Test
  void everyAlertHasARunbookWithTheFourSections() throws Exception {
    for (Alert a : alerts.values()) {
      Path runbook = Tools.RUNBOOKS.resolve(a.name() + ".md");
      assertThat(runbook).as("runbook of " + a.name()).exists();
      String text = Files.readString(runbook);
      assertThat(text).startsWith("# " + a.name());
      for (String section : RUNBOOK_SECTIONS) {
        assertThat(text).as(runbook.getFileName() + " has " + section).contains(section);
      }
    }
    try (Stream<Path> files = Files.list(Tools.RUNBOOKS)) {
      List<String> orphans = new ArrayList<>();
      files.map(p -> p.getFileName().toString().replace(".md", ""))
          .filter(n -> !alerts.containsKey(n) && !n.equals("README")).forEach(orphans::add);
      assertThat(orphans).as("runbooks of alerts that no longer exist").isEmpty();
    }
  }

  /** The README's table (alert, failure point, severity, runbook) matches the rules. */
  @Test
  void theReadmeTableMatchesTheRules() throws Exception {
    String readme = Files.readString(Tools.ALERT_RULES.resolve("README.md"));
    Pattern row = Pattern.compile("^\\| `(\\w+)` \\| ([^|]+) \\| (\\w+) \\| \\[runbook]\\(runbooks/(\\w+)\\.md\\) \\|$",
        Pattern.MULTILINE);
    Map<String, String[]> rows = new LinkedHashMap<>();
    Matcher m = row.matcher(readme);
    while (m.find()) {
      rows.put(m.group(1), new String[] {m.group(2).trim(), m.group(3), m.group(4)});
    }
    assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(alerts.keySet());
    for (Alert a : alerts.values()) {
      String[] r = rows.get(a.name());
      assertThat(r[2]).isEqualTo(a.name());
      assertThat(r[1]).as(a.name() + " severity").isEqualTo(a.labels().get("severity"));
      String point = a.labels().get("failure_point");
      if (point.startsWith("{{")) {
        Matcher digits = Pattern.compile("\\d").matcher(point);
        while (digits.find()) {
          assertThat(r[0]).as(a.name() + " failure points").contains(digits.group());
        }
      } else {
        assertThat(r[0]).as(a.name() + " failure point").isEqualTo(point);
      }
    }
  }
}
