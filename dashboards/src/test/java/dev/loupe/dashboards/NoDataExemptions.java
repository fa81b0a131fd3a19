package dev.loupe.dashboards;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The panels and queries {@link PanelsHaveDataIT} does not require to return data, each with the exact reason.
 * Two kinds: those whose series the run cannot produce (the condition needs hours, a stopped service, a fault
 * the run does not switch on), and those whose series the run can produce but only if the loaded machine
 * carries a fault far enough (the reason names the threshold and what the run does towards it); a run
 * prints which of these had data all the same. {@link NoDataExemptionsTest} holds every exemption to a
 * query of the generated dashboards, so none outlives its panel.
 *
 * <p>The run's phases, which the reasons refer to: load of 4 orders and 2 orders page views a second for
 * 180 s; crm-unroutable 25 s, mes-consumer-reject 20 s, shop-save-swallowed 15 s, shop-controller-bug with
 * shop-lenient-ring-size 15 s, shop-s3-rejected 15 s, mes-orders-page-n-plus-one 20 s; then, from 110 s on and
 * until the 4-minute deadline, shop-db-slow, mes-calculation-hang, mes-consumer-slow and mes-db-pool-leak.
 * The services' Hikari pools have 5 connections and wait 3 s for one (sample-apps).
 */
final class NoDataExemptions {

  private NoDataExemptions() {}

  enum Kind {
    /** The run cannot produce the series. */
    CANNOT,
    /** The run can produce the series; whether it does depends on how far the loaded machine carries a fault. */
    MAY_LACK
  }

  /** Why a panel or query need not return data. */
  record Exemption(Kind kind, String reason) {}

  /** Panels (dashboard uid / title) whose every query is exempt. */
  static final Map<String, Exemption> PANELS = panels();

  /** Single queries, by a part of their text, that are exempt; the panel's other queries must return data. */
  static final Map<String, Exemption> QUERIES = Map.of(
      "otelcol_exporter_send_failed_", cannot("the Collector creates the counter at an exporter's first failure; "
          + "sending to the Tempo and Loki stand-ins and to Prometheus never fails in this run"),
      "otelcol_exporter_enqueue_failed_", cannot("the Collector creates the counter at the first item its full queue "
          + "refuses; the queues stay far from full"),
      "otelcol_processor_memory_limiter_refused_", cannot("the memory limiter creates the counter at its first "
          + "refusal; the Collector stays far below its limit"));

  private static Exemption cannot(String reason) {
    return new Exemption(Kind.CANNOT, reason);
  }

  private static Exemption mayLack(String reason) {
    return new Exemption(Kind.MAY_LACK, reason);
  }

  private static Map<String, Exemption> panels() {
    Map<String, Exemption> m = new LinkedHashMap<>();
    Exemption slowBurn = cannot("the slow-burn windows need 12 or 36 hours of history "
        + "(service:http_server_requests:present_12h_ago)");
    for (String s : List.of("shop-api", "crm-api", "mes-api")) {
      m.put("loupe-orders / ApiAvailabilityBurnRateSlow (" + s + ")", slowBurn);
      m.put("loupe-orders / ApiLatencyBurnRateSlow (" + s + ")", slowBurn);
    }
    Exemption noCrmFailure = cannot("no fault of this run makes the CRM answer 5xx or slowly (crm-unroutable "
        + "loses messages in the broker; the CRM's requests succeed)");
    m.put("loupe-orders / ApiAvailabilityBurnRateFast (crm-api)", noCrmFailure);
    m.put("loupe-orders / ApiLatencyBurnRateFast (crm-api)", noCrmFailure);
    m.put("loupe-orders / ApiAvailabilityBurnRateFast (mes-api)", mayLack("a series shows only while more than 7.2 % "
        + "of MES's requests in the hour, and in the last 5 minutes, failed with 5xx. MES fails requests only once "
        + "mes-db-pool-leak, on from 110 s, has taken all 5 connections of its pool (each request then fails after "
        + "waiting 3 s); whether these reach 7.2 % of every MES request since the load began (page views, "
        + "assignments) before the deadline depends on how soon the leak empties the pool on the loaded machine"));
    m.put("loupe-orders / ApiAvailabilityBurnRateFast (shop-api)", mayLack("a series shows only while more than "
        + "7.2 % of the shop's requests in the hour, and in the last 5 minutes, failed with 5xx. The shop fails "
        + "requests only in shop-s3-rejected's 15 s (every order 502; shop-controller-bug fails none, as every "
        + "order of the load has an engraving) and once shop-db-slow has every connection of its pool busy (a "
        + "lookup then fails after waiting 3 s); the share is of every shop request since the load began, 4 "
        + "orders a second and a lookup of each order in flight, whose number depends on the loaded machine"));
    m.put("loupe-orders / ApiLatencyBurnRateFast (shop-api)", mayLack("a series shows only while more than 14.4 % "
        + "of the shop's requests in the hour, and in the last 5 minutes, took over 1 s. They do only once "
        + "shop-db-slow (1.5 s more per statement) is on, from 110 s, against every shop request since the load "
        + "began; the share passed 14.4 % before the deadline in one run here and not in the next (load average "
        + "25 to 50)"));
    m.put("loupe-orders / ApiLatencyBurnRateFast (mes-api)", mayLack("a series shows only while more than 14.4 % "
        + "of MES's requests in the hour, and in the last 5 minutes, took over 1 s. They do only in "
        + "mes-orders-page-n-plus-one's 20 s (two statements more per row of a page) and, from 110 s, while "
        + "mes-db-pool-leak makes them wait up to 3 s for a connection; the share reached of every MES request "
        + "since the load began depends on the loaded machine"));
    Exemption swallowedInShop = cannot("the swallowed-error fault of this run is the shop's (shop-save-swallowed); "
        + "CRM and MES swallow no error");
    m.put("loupe-orders / OrderErrorSwallowed (crm-api)", swallowedInShop);
    m.put("loupe-orders / OrderErrorSwallowed (mes-api)", swallowedInShop);
    Exemption serviceDown = cannot("no service is stopped: ServiceDown needs one silent for 3 minutes");
    Exemption databaseUp = cannot("no database is stopped in this run. With its database up, a Hikari pool has "
        + "requests pending or timing out only while every connection is in use, at its maximum, and the rule "
        + "drops a pool that was at its maximum in the last 10 minutes (a full pool is "
        + "DatabaseConnectionPoolExhausted's, not an unreachable database's)");
    for (String s : List.of("shop-api", "crm-api", "mes-api")) {
      m.put("loupe-orders / ServiceDown (" + s + ")", serviceDown);
      m.put("loupe-orders / DatabaseUnavailable (" + s + ")", databaseUp);
    }
    m.put("loupe-apis / ServiceDown", serviceDown);
    m.put("loupe-databases / DatabaseUnavailable", databaseUp);
    m.put("loupe-orders / DatabaseConnectionPoolExhausted (shop-api)", mayLack("a series shows only at a scrape "
        + "that finds all 5 connections of the shop's pool in use and requests waiting. No fault of this run leaks "
        + "the shop's connections (the leak is MES's); shop-db-slow, from 110 s, makes each statement 1.5 s "
        + "longer, so 4 orders a second and the lookups need more than 5 connections at once while the load lasts "
        + "(until 180 s): whether a scrape in those 70 s finds the pool full with requests waiting depends on the "
        + "rate the loaded machine sustains"));
    m.put("loupe-orders / DatabaseConnectionPoolExhausted (crm-api)", cannot("the pool-leak fault of this run is "
        + "MES's, and no CRM statement is slowed"));
    Exemption deadline = cannot("the deadline is 45 minutes (2700 s); the run lasts minutes");
    m.put("loupe-orders / PriceCalculationOverdue", deadline);
    m.put("loupe-price-calculation / PriceCalculationOverdue", deadline);
    m.put("loupe-price-calculation / Overdue calculations per hour", cannot("loupe_operation_overdue_total appears "
        + "at the first overdue calculation, after 45 minutes"));
    Exemption consuming = cannot("MES keeps consuming: no consumer is stopped in this run");
    m.put("loupe-orders / RabbitmqQueueWithoutConsumers", consuming);
    m.put("loupe-messaging / RabbitmqQueueWithoutConsumers", consuming);
    Exemption growing = mayLack("a series shows only while an order queue holds over 20 ready messages and grows "
        + "by more than 3 a minute. mes-consumer-slow (2 s a message, one consumer with a prefetch of 5: 0.5 "
        + "messages a second) is on from 110 s together with shop-db-slow, which holds the orders reaching MES to "
        + "what the shop's 5 slowed connections pass; whether more than 20 wait before the load ends at 180 s "
        + "depends on that rate on the loaded machine");
    m.put("loupe-orders / RabbitmqQueueGrowing", growing);
    m.put("loupe-messaging / RabbitmqQueueGrowing", growing);
    m.put("loupe-orders / OrderMessageDeadLettered", cannot("the sample apps' queues have no dead-letter exchange: "
        + "no message is dead-lettered (reason dead_lettered)"));
    m.put("loupe-orders / ApiClientErrorsHigh", cannot("no request is refused as invalid (400, 409, 422) in this "
        + "run: the front-end fault, shop-lenient-ring-size, is refused by MES's order consumer, not over HTTP"));
    Exemption noBrowser = cannot("no browser runs the front ends in this run; frontend-telemetry's browser test "
        + "feeds the series service_page:browser_errors:increase15m is recorded from");
    m.put("loupe-orders / FrontendErrors", noBrowser);
    m.put("loupe-orders / Browser errors by page (15 min)", noBrowser);
    m.put("loupe-orders / OrdersUnaccounted", cannot("the lost-order reconciler does not run in this run "
        + "(reconciler/ tests its metrics and these alerts' rules against its own runs)"));
    m.put("loupe-pipeline / TelemetryPipelineDown", cannot("the pipeline is up throughout the run"));
    m.put("loupe-pipeline / TelemetryPipelineDroppingData", cannot("the Collector drops nothing in this run"));
    return m;
  }

  /**
   * Why the run need not fill this query: its panel's exemption, else the first query exemption whose text it
   * contains; null when it must return data.
   */
  static Exemption of(PanelQuery q) {
    Exemption panel = PANELS.get(q.panelKey());
    if (panel != null) {
      return panel;
    }
    return QUERIES.entrySet().stream().filter(e -> q.query().contains(e.getKey())).map(Map.Entry::getValue)
        .findFirst().orElse(null);
  }

  /**
   * The exemptions that name no panel, or match no query, of the given queries (a panel renamed or removed
   * leaves its exemption behind, which would then exempt nothing, or a later panel of that name, silently).
   *
   * @param panels exemptions by panel key ({@code uid / title})
   * @param queries exemptions by a part of a query's text
   * @return the stale ones, described; empty when every exemption still applies
   */
  static List<String> stale(Map<String, Exemption> panels, Map<String, Exemption> queries, List<PanelQuery> all) {
    List<String> out = new ArrayList<>();
    for (String key : panels.keySet()) {
      if (all.stream().noneMatch(q -> q.panelKey().equals(key))) {
        out.add("panel " + key);
      }
    }
    for (String part : queries.keySet()) {
      if (all.stream().noneMatch(q -> q.query().contains(part))) {
        out.add("query part " + part);
      }
    }
    return out;
  }

  /**
   * How many queries the run must fill and how many are exempt, by kind.
   *
   * @param total the PromQL queries of the generated panels
   * @param mustHaveData those without an exemption
   * @param cannot those whose series the run cannot produce
   * @param mayLack those the run may or may not fill
   */
  record Coverage(int total, int mustHaveData, int cannot, int mayLack) {
    static Coverage of(List<PanelQuery> all) {
      int cannot = 0;
      int mayLack = 0;
      for (PanelQuery q : all) {
        Exemption e = NoDataExemptions.of(q);
        if (e != null && e.kind() == Kind.CANNOT) {
          cannot++;
        } else if (e != null) {
          mayLack++;
        }
      }
      return new Coverage(all.size(), all.size() - cannot - mayLack, cannot, mayLack);
    }
  }
}
