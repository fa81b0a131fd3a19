package dev.loupe.alerts;

import dev.loupe.drills.Alertmanager;
import dev.loupe.drills.Webhook;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.sample.stack.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * alertmanager.yml passes {@code amtool check-config}, routes every case in
 * alertmanager/tests/routes.txt to exactly its receivers, and, run by a real Alertmanager,
 * inhibits symptoms while their cause fires and renders readable notifications.
 */
class AlertmanagerConfigTest {

  private static final Path CONFIG = Tools.ALERTMANAGER.resolve("alertmanager.yml");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void amtoolAcceptsTheConfig() throws Exception {
    Tools.Result r = Tools.run(Tools.ALERTMANAGER, Duration.ofSeconds(30), List.of("amtool", "check-config", "alertmanager.yml"));
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS").contains("3 receivers");
  }

  @Test
  void amtoolRejectsABrokenCopy(@TempDir Path dir) throws Exception {
    Path broken = dir.resolve("alertmanager.yml");
    Files.writeString(broken, Files.readString(CONFIG).replace("receiver: team-channel\n  group_by", "receiver: nobody\n  group_by"));
    Tools.Result r = Tools.run(dir, Duration.ofSeconds(30), List.of("amtool", "check-config", broken.toString()));
    assertThat(r.exit()).as(r.output()).isNotZero();
    assertThat(r.output()).contains("FAILED");
  }

  record RouteCase(String receivers, List<String> labels) {}

  static List<RouteCase> routeCases() throws Exception {
    List<RouteCase> cases = new ArrayList<>();
    for (String line : Files.readAllLines(Tools.ALERTMANAGER.resolve("tests/routes.txt"))) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.trim().split("\\s+");
      cases.add(new RouteCase(parts[0], Arrays.asList(parts).subList(1, parts.length)));
    }
    return cases;
  }

  @Test
  void everyRoutingCaseReachesExactlyItsReceivers() throws Exception {
    List<RouteCase> cases = routeCases();
    assertThat(cases.stream().map(c -> c.labels().stream().filter(l -> l.startsWith("severity=")).findFirst().orElse("none")))
        .as("a case for every severity").contains("severity=page", "severity=ticket", "severity=none");
    for (RouteCase c : cases) {
      Tools.Result r = amtoolRoutes(c.receivers(), c.labels());
      assertThat(r.exit()).as(c + "\n" + r.output()).isZero();
    }
  }

  /** --verify.receivers really verifies: a page expected in the team channel alone fails. */
  @Test
  void aWrongExpectationFails() throws Exception {
    Tools.Result r = amtoolRoutes("team-channel", List.of("alertname=OrderMessageRejected", "severity=page", "service=mes-api"));
    assertThat(r.exit()).as(r.output()).isNotZero();
    assertThat(r.output()).contains("oncall-pager,team-channel");
  }

  private static Tools.Result amtoolRoutes(String receivers, List<String> labels) throws Exception {
    List<String> command = new ArrayList<>(List.of("amtool", "config", "routes", "test", "--config.file=alertmanager.yml",
        "--verify.receivers=" + receivers));
    command.addAll(labels);
    return Tools.run(Tools.ALERTMANAGER, Duration.ofSeconds(30), command);
  }

  @Test
  void aRealAlertmanagerInhibitsSymptomsAndNotifiesReadably(@TempDir Path dir) throws Exception {
    try (Webhook slack = new Webhook();
        Alertmanager am = Alertmanager.start(dir, Alertmanager.secretsFor(slack))) {
      String runbook = AlertCatalogueTest.RUNBOOK_BASE;
      String alerts = "[" + String.join(",",
          alert(Map.of("alertname", "RabbitmqDown", "severity", "page", "service", "rabbitmq", "failure_point", "9"),
              Map.of("summary", "The message broker is down", "runbook_url", runbook + "RabbitmqDown.md")),
          alert(Map.of("alertname", "OrdersStuckBeforeMes", "severity", "page", "service", "mes-api", "failure_point", "5"),
              Map.of("summary", "Confirmed orders are not arriving in MES", "runbook_url", runbook + "OrdersStuckBeforeMes.md")),
          alert(Map.of("alertname", "ServiceDown", "severity", "page", "service", "shop-api", "failure_point", "1"),
              Map.of("summary", "shop-api is down", "runbook_url", runbook + "ServiceDown.md")),
          alert(Map.of("alertname", "ApiAvailabilityBurnRateFast", "severity", "page", "service", "shop-api", "failure_point", "1"),
              Map.of("summary", "shop-api is burning its availability error budget fast")),
          alert(Map.of("alertname", "ApiAvailabilityBurnRateFast", "severity", "page", "service", "crm-api", "failure_point", "4"),
              Map.of("summary", "crm-api is burning its availability error budget fast")),
          alert(Map.of("alertname", "OrderMessageRejected", "severity", "page", "service", "mes-api", "failure_point", "5",
                  "messaging_destination_name", "jewelry.orders", "reason", "rejected"),
              Map.of("summary", "mes-api dropped order messages it received", "description", "3 order message(s) were dropped",
                  "orders_affected", "3", "runbook_url", runbook + "OrderMessageRejected.md",
                  "dashboard_url", "https://grafana.jewelry.internal/d/loupe-orders/orders?var-service=mes-api",
                  "order_journey_url", "https://grafana.jewelry.internal/d/loupe-order-journey/order-journey"))) + "]";
      assertThat(am.post("/api/v2/alerts", alerts).statusCode()).isEqualTo(200);

      JsonNode state = Eventually.await("Alertmanager to evaluate inhibitions", Duration.ofSeconds(30), () -> {
        JsonNode all = JSON.readTree(am.get("/api/v2/alerts").body());
        return all.size() == 6 && inhibited(all, "OrdersStuckBeforeMes", "mes-api") ? Optional.of(all) : Optional.empty();
      });
      assertThat(inhibited(state, "OrdersStuckBeforeMes", "mes-api")).as("broker down inhibits stuck orders").isTrue();
      assertThat(inhibited(state, "ApiAvailabilityBurnRateFast", "shop-api")).as("shop down inhibits its error rate").isTrue();
      assertThat(inhibited(state, "ApiAvailabilityBurnRateFast", "crm-api")).as("a running service's errors still page").isFalse();
      assertThat(inhibited(state, "OrderMessageRejected", "mes-api")).as("a lost order is never inhibited").isFalse();
      assertThat(inhibited(state, "RabbitmqDown", "rabbitmq")).isFalse();

      Webhook.Notification page = Eventually.await("the on-call channel to hear of the rejected order",
          Duration.ofSeconds(60), () -> slack.received("/oncall").stream()
              .filter(n -> n.body().contains("OrderMessageRejected")).findFirst());
      String text = JSON.readTree(page.body()).get("attachments").get(0).get("text").asText();
      String title = JSON.readTree(page.body()).get("attachments").get(0).get("title").asText();
      assertThat(title).isEqualTo("[FIRING:1] OrderMessageRejected on mes-api (failure point 5)");
      assertThat(text).contains("mes-api dropped order messages it received")
          .contains("service: mes-api | severity: page | failure point: 5")
          .contains("orders affected: 3")
          .contains("runbook: " + runbook + "OrderMessageRejected.md")
          .contains("dashboard: https://grafana.jewelry.internal/d/loupe-orders/orders?var-service=mes-api")
          .contains("order journey (type an affected order's id): "
              + "https://grafana.jewelry.internal/d/loupe-order-journey/order-journey");
      assertThat(JSON.readTree(page.body()).get("channel").asText()).isEqualTo("#jewelry-oncall");
      Eventually.await("the team channel to get the same page", Duration.ofSeconds(60), () -> slack.received("/team")
          .stream().filter(n -> n.body().contains("OrderMessageRejected")).findFirst());
      assertThat(slack.received("/oncall")).as("inhibited alerts are not sent")
          .noneMatch(n -> n.body().contains("OrdersStuckBeforeMes"));
    }
  }

  /** The telemetry pipeline down pages once, as that, and holds back the services it stopped reporting. */
  @Test
  void aRealAlertmanagerPagesThePipelineOnceAndHoldsBackTheServicesItCarried(@TempDir Path dir) throws Exception {
    try (Webhook slack = new Webhook(); Alertmanager am = alertmanager(dir, slack)) {
      JsonNode state = post(am, List.of(
          page("TelemetryPipelineDown", "otel-collector", "none"),
          page("ServiceDown", "shop-api", "1"),
          page("ServiceDown", "crm-api", "4"),
          page("ServiceDown", "mes-api", "6"),
          alert(Map.of("alertname", "TelemetryPipelineDroppingData", "severity", "ticket", "service", "otel-collector",
              "failure_point", "none"), Map.of("summary", "The telemetry pipeline is losing data")),
          page("OrderMessageRejected", "mes-api", "5")), "ServiceDown", "mes-api");
      for (String service : List.of("shop-api", "crm-api", "mes-api")) {
        assertThat(inhibited(state, "ServiceDown", service)).as("ServiceDown of " + service).isTrue();
      }
      assertThat(inhibited(state, "TelemetryPipelineDroppingData", "otel-collector")).as("the Collector's ticket").isTrue();
      assertThat(inhibited(state, "TelemetryPipelineDown", "otel-collector")).isFalse();
      assertThat(inhibited(state, "OrderMessageRejected", "mes-api")).as("a lost order is never inhibited").isFalse();

      List<String> titles = pages(slack, List.of("TelemetryPipelineDown on otel-collector", "OrderMessageRejected on mes-api"));
      assertThat(titles).as("the pages on-call got").noneMatch(t -> t.contains("ServiceDown"));
      assertThat(titles).filteredOn(t -> t.contains("TelemetryPipelineDown")).as("the pipeline pages once").hasSize(1);
    }
  }

  /** The page names the database or storage, not the service whose requests fail because of it. */
  @Test
  void aRealAlertmanagerPagesTheDatabaseOrStorageRatherThanTheServiceThatSuffers(@TempDir Path dir) throws Exception {
    try (Webhook slack = new Webhook(); Alertmanager am = alertmanager(dir, slack)) {
      JsonNode state = post(am, List.of(
          page("DatabaseUnavailable", "shop-api", "2"),
          page("ApiAvailabilityBurnRateFast", "shop-api", "1"),
          page("S3RequestsFailing", "mes-api", "3"),
          page("ApiLatencyBurnRateFast", "mes-api", "6"),
          page("ApiAvailabilityBurnRateFast", "crm-api", "4")), "ApiLatencyBurnRateFast", "mes-api");
      assertThat(inhibited(state, "ApiAvailabilityBurnRateFast", "shop-api")).as("the shop's 503s are its database's").isTrue();
      assertThat(inhibited(state, "DatabaseUnavailable", "shop-api")).isFalse();
      assertThat(inhibited(state, "ApiLatencyBurnRateFast", "mes-api")).as("MES's slow requests are S3's").isTrue();
      assertThat(inhibited(state, "S3RequestsFailing", "mes-api")).isFalse();
      assertThat(inhibited(state, "ApiAvailabilityBurnRateFast", "crm-api")).as("a cause of another service holds nothing back").isFalse();

      List<String> titles = pages(slack, List.of("DatabaseUnavailable on shop-api (failure point 2)",
          "S3RequestsFailing on mes-api (failure point 3)", "ApiAvailabilityBurnRateFast on crm-api"));
      assertThat(titles).as("the pages on-call got").noneMatch(t -> t.contains("ApiAvailabilityBurnRateFast on shop-api"))
          .noneMatch(t -> t.contains("ApiLatencyBurnRateFast on mes-api"));
    }
  }

  private static Alertmanager alertmanager(Path dir, Webhook slack) throws Exception {
    return Alertmanager.start(dir, Alertmanager.secretsFor(slack));
  }

  /** Posts the alerts and returns Alertmanager's view once it holds them all and has inhibited the given one. */
  private static JsonNode post(Alertmanager am, List<String> alerts, String inhibitedName, String inhibitedService) throws Exception {
    assertThat(am.post("/api/v2/alerts", "[" + String.join(",", alerts) + "]").statusCode()).isEqualTo(200);
    return Eventually.await("Alertmanager to evaluate inhibitions", Duration.ofSeconds(30), () -> {
      JsonNode all = JSON.readTree(am.get("/api/v2/alerts").body());
      return all.size() == alerts.size() && inhibited(all, inhibitedName, inhibitedService) ? Optional.of(all) : Optional.empty();
    });
  }

  /** The titles of the on-call pages, once every expected one has arrived. */
  private static List<String> pages(Webhook slack, List<String> expected) throws Exception {
    return Eventually.await("on-call to be paged for " + expected, Duration.ofSeconds(60), () -> {
      List<String> received = new ArrayList<>();
      for (Webhook.Notification n : slack.received("/oncall")) {
        received.add(JSON.readTree(n.body()).get("attachments").get(0).get("title").asText());
      }
      return expected.stream().allMatch(e -> received.stream().anyMatch(t -> t.contains(e)))
          ? Optional.of(received) : Optional.empty();
    });
  }

  private static String page(String name, String service, String failurePoint) throws Exception {
    return alert(Map.of("alertname", name, "severity", "page", "service", service, "failure_point", failurePoint),
        Map.of("summary", name + " on " + service, "runbook_url", AlertCatalogueTest.RUNBOOK_BASE + name + ".md"));
  }

  private static boolean inhibited(JsonNode alerts, String name, String service) {
    for (JsonNode a : alerts) {
      if (a.get("labels").get("alertname").asText().equals(name) && a.get("labels").get("service").asText().equals(service)) {
        return a.get("status").get("inhibitedBy").size() > 0;
      }
    }
    throw new AssertionError("no alert " + name + " for " + service + " in " + alerts);
  }

  private static String alert(Map<String, String> labels, Map<String, String> annotations) throws Exception {
    return JSON.writeValueAsString(Map.of("labels", labels, "annotations", annotations));
  }
}
