package dev.loupe.drills;

import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.stack.Stack;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ten drills: failure points 1–9 and the slow orders page, each with the alert it must produce, its
 * target and where the target comes from. The one place that lists them; {@code docs/training.md} and
 * {@code drills/README.md} are held to it by a test.
 *
 * <p>Targets are read from the rules as they are (alert-rules/rules/loupe-alerts.yml) on the drills' 2 s
 * scrape and evaluation and 5 s metric export, plus the route's {@code group_wait} (10 s for pages, 30 s
 * for tickets): a definitive loss pages within 60 s; every other target is the rule's {@code for} plus those.
 */
public final class Drills {

  private Drills() {}

  /** Loss alerts resolve once their 5-minute window is clear and {@code keep_firing_for: 10m} has passed. */
  private static final Duration LOSS_RESOLVES = Duration.ofMinutes(18);
  private static final String LOSS_RESOLVES_WHY =
      "the loss counted over 5 min, then keep_firing_for 10m, then the pager's 1 min group_interval";
  private static final Duration DEFINITIVE_LOSS = Duration.ofSeconds(60);
  private static final String DEFINITIVE_LOSS_WHY = "a definitive loss pages at once: no for, within 60 s";
  private static final String STUCK = "OrdersStuckBeforeMes on mes-api";
  private static final String STUCK_WHY = "the orders lost before MES are missing from its intake: the same orders";

  /**
   * Every drill, in the order {@code --all} runs them: those that raise the same alert on the same service
   * (5, 7 and 8 all make MES drop order messages) are far apart, so each finds that alert quiet and its page
   * is a new one.
   */
  public static final List<Drill> ALL = List.of(
      new Drill(8, "the new shop front end sends US ring sizes (\"7 US\"), the shop accepts them, MES cannot read them",
          "shop-lenient-ring-size, and customers of the new front end ordering in US sizes",
          List.of(new Drill.Expected("OrderMessageRejected", "mes-api", "page", "5")),
          DEFINITIVE_LOSS, DEFINITIVE_LOSS_WHY
              + "; the page names where the order was lost (MES's intake, point 5), its description and the"
              + " rejected order's log line name the ring size the front end sent",
          Map.of(STUCK, STUCK_WHY), LOSS_RESOLVES, LOSS_RESOLVES_WHY, new Drill.Action() {
            private int tick;

            @Override
            public void on(Stack stack, CustomerLoad customers) {
              stack.fault(Fault.SHOP_LENIENT_RING_SIZE, true);
            }

            @Override
            public void meanwhile(Stack stack, CustomerLoad customers) {
              if (tick++ % 2 == 0) {
                customers.place(OrderRequest.typical().withRingSize("7 US"));
              }
            }

            @Override
            public void off(Stack stack, CustomerLoad customers) {
              stack.fault(Fault.SHOP_LENIENT_RING_SIZE, false);
            }
          }),
      new Drill(1, "the shop's order insert fails and is swallowed: the customer gets 201 for an order that exists nowhere",
          Fault.SHOP_SAVE_SWALLOWED.id(),
          List.of(new Drill.Expected("OrderErrorSwallowed", "shop-api", "page", "1")),
          DEFINITIVE_LOSS, DEFINITIVE_LOSS_WHY, Map.of(), LOSS_RESOLVES, LOSS_RESOLVES_WHY,
          fault(Fault.SHOP_SAVE_SWALLOWED)),
      new Drill(4, "the CRM publishes confirmed orders with a misspelt routing key; the broker drops them",
          Fault.CRM_UNROUTABLE.id(),
          List.of(new Drill.Expected("OrderMessageUnroutable", "crm-api", "page", "4")),
          DEFINITIVE_LOSS, DEFINITIVE_LOSS_WHY,
          Map.of("RabbitmqUnroutableMessages on rabbitmq",
              "the broker's own count of the same messages (inhibited once OrderMessageUnroutable fires)",
              STUCK, STUCK_WHY),
          LOSS_RESOLVES, LOSS_RESOLVES_WHY, fault(Fault.CRM_UNROUTABLE)),
      new Drill(6, "MES's price calculation throws; the order stays CALCULATING for ever",
          Fault.MES_CALCULATION_CRASH.id(),
          List.of(new Drill.Expected("OrderErrorSwallowed", "mes-api", "page", "6")),
          DEFINITIVE_LOSS, DEFINITIVE_LOSS_WHY + " (the extension watches the calculation as an operation)",
          Map.of(), LOSS_RESOLVES, LOSS_RESOLVES_WHY, fault(Fault.MES_CALCULATION_CRASH)),
      new Drill(9, "the message broker goes down (the RabbitMQ node is stopped) and comes back",
          "RabbitMQ stopped",
          List.of(new Drill.Expected("RabbitmqDown", "rabbitmq", "page", "9")),
          Duration.ofSeconds(120),
          "RabbitmqDown: for 1m after the first failed scrape; the Collector scrapes the broker every 15 s, then"
              + " 2 s evaluation and the pager's 10 s group_wait",
          Map.of("OrderErrorSwallowed on mes-api", "a price calculation that ends while the broker is down cannot"
                  + " publish its price (AlreadyClosedException, logged and swallowed inside price_calculation): the"
                  + " order is priced in MES and the shop never hears of it",
              STUCK, STUCK_WHY),
          Duration.ofMinutes(4),
          "up again at the next 15 s scrape, then the pager's 1 min group_interval", new Drill.Action() {
            @Override
            public void on(Stack stack, CustomerLoad customers) {
              stack.broker().stop();
            }

            @Override
            public void off(Stack stack, CustomerLoad customers) throws Exception {
              stack.broker().start();
              awaitOrdersReachMes(stack, BROKER_RECOVERY);
            }
          }),
      new Drill(3, "S3 refuses the shop's model uploads (revoked credentials, 403); the shop answers 502",
          Fault.SHOP_S3_REJECTED.id(),
          List.of(new Drill.Expected("S3RequestsFailing", "shop-api", "page", "3")),
          Duration.ofSeconds(180), "S3RequestsFailing: for 2m once 3 calls in 5 min failed, plus export, evaluation and"
              + " the pager's 10 s group_wait",
          Map.of("ApiAvailabilityBurnRateFast on shop-api",
              "the shop's 502s burn its error budget; inhibited while S3RequestsFailing fires",
              "ApiLatencyBurnRateFast on shop-api", "uploads wait for S3's refusal; inhibited while S3RequestsFailing fires"),
          LOSS_RESOLVES, "its hourly branch keeps firing while a call failed in the last 15 min, then 1 min group_interval",
          fault(Fault.SHOP_S3_REJECTED)),
      new Drill(2, "each placed order leaks a Shop DB connection until the pool is exhausted; the shop answers 503",
          Fault.SHOP_DB_POOL_LEAK.id(),
          List.of(new Drill.Expected("DatabaseConnectionPoolExhausted", "shop-api", "page", "2")),
          Duration.ofSeconds(180), "DatabaseConnectionPoolExhausted: for 2m (the pool of 5 is gone within seconds),"
              + " plus export, evaluation and the pager's 10 s group_wait",
          Map.of("ApiAvailabilityBurnRateFast on shop-api",
              "the shop's 503s burn its error budget; inhibited while the pool alert fires",
              "ApiLatencyBurnRateFast on shop-api", "requests wait 3 s for a connection; inhibited while the pool alert fires"),
          Duration.ofMinutes(5), "the connections come back when the fault is switched off; 1 min group_interval",
          fault(Fault.SHOP_DB_POOL_LEAK)),
      new Drill(0, "the orders page loads each order's item and operator with two more queries per row (N+1)",
          Fault.MES_ORDERS_PAGE_N_PLUS_ONE.id(),
          List.of(new Drill.Expected("RepeatedStatements", "mes-api", "ticket", "7")),
          Duration.ofSeconds(390), "RepeatedStatements: for 5m once a request repeated a statement, plus export,"
              + " evaluation and the team channel's 30 s group_wait; a ticket, not a page: the page is slow, no order is lost",
          Map.of("OrdersPageSlow on mes-api", "the same slow page, if its loads cross 2 s"),
          Duration.ofMinutes(22), "counted over 15 min, then the team channel's 5 min group_interval",
          fault(Fault.MES_ORDERS_PAGE_N_PLUS_ONE)),
      new Drill(5, "MES's validation demands a field the CRM does not send and rejects every order message",
          Fault.MES_CONSUMER_REJECT.id(),
          List.of(new Drill.Expected("OrderMessageRejected", "mes-api", "page", "5")),
          DEFINITIVE_LOSS, DEFINITIVE_LOSS_WHY, Map.of(STUCK, STUCK_WHY), LOSS_RESOLVES, LOSS_RESOLVES_WHY,
          fault(Fault.MES_CONSUMER_REJECT)),
      new Drill(7, "each orders page request leaks a MES DB connection until the pool is exhausted",
          Fault.MES_DB_POOL_LEAK.id(),
          List.of(new Drill.Expected("DatabaseConnectionPoolExhausted", "mes-api", "page", "7")),
          Duration.ofSeconds(180), "DatabaseConnectionPoolExhausted: for 2m (the orders page leaks the pool within"
              + " seconds), plus export, evaluation and the pager's 10 s group_wait",
          Map.of("OrderMessageRejected on mes-api",
              "MES acknowledges order messages and then cannot store them without a connection: those orders are"
                  + " lost (consumer_failed), a definitive loss that pages before the pool alert",
              "ApiAvailabilityBurnRateFast on mes-api", "the orders page answers 503; inhibited while the pool alert fires",
              "ApiLatencyBurnRateFast on mes-api", "the orders page waits 3 s for a connection; inhibited while the pool alert fires",
              "OrderErrorSwallowed on mes-api", "a price calculation that cannot get a connection to store its price"
                  + " (SQLTransientConnectionException, logged and swallowed inside price_calculation): the order stays"
                  + " CALCULATING",
              STUCK, STUCK_WHY),
          Duration.ofMinutes(5), "the connections come back when the fault is switched off; 1 min group_interval"
              + " (the losses it caused keep OrderMessageRejected firing as long as any loss alert)",
          fault(Fault.MES_DB_POOL_LEAK)));

  /**
   * How long the services may take to find the broker again after it returns: amqp-client's automatic
   * recovery retries every 5 s, Spring AMQP's listener container every 5 s; three minutes leave room for
   * a slow machine, and a stack that has not recovered by then has a problem of its own.
   */
  private static final Duration BROKER_RECOVERY = Duration.ofMinutes(3);

  /**
   * Waits until MES has received an order after this call: the shop, the CRM's publish and MES's consumer
   * all work again, so the next drill starts on a working pipeline. Prints progress every 15 s.
   *
   * @throws IllegalStateException when no order reached MES within {@code limit}: the services did not
   *     recover from the broker's outage, which the drill reports rather than hides
   * @throws SQLException when the MES DB does not answer
   */
  static void awaitOrdersReachMes(Stack stack, Duration limit) throws SQLException, InterruptedException {
    long start = System.nanoTime();
    Timestamp since;
    try (Connection db = stack.mesDb(); Statement s = db.createStatement();
        ResultSet r = s.executeQuery("SELECT now()")) {
      r.next();
      since = r.getTimestamp(1);
    }
    long nextReport = start + Duration.ofSeconds(15).toNanos();
    while (true) {
      try (Connection db = stack.mesDb();
          PreparedStatement s = db.prepareStatement("SELECT count(*) FROM orders WHERE received_at > ?")) {
        s.setTimestamp(1, since);
        try (ResultSet r = s.executeQuery()) {
          r.next();
          if (r.getLong(1) > 0) {
            System.out.printf("  orders reach MES again %d s after the broker's return%n",
                (System.nanoTime() - start) / 1_000_000_000);
            return;
          }
        }
      }
      long waited = System.nanoTime() - start;
      if (waited > limit.toNanos()) {
        throw new IllegalStateException("no order reached MES within " + limit.toSeconds()
            + " s of the broker's return: the services did not recover from its outage (see their logs under the"
            + " stack directory)");
      }
      if (System.nanoTime() >= nextReport) {
        System.out.printf("  waiting for orders to reach MES again (%d s since the broker's return)%n",
            waited / 1_000_000_000);
        nextReport += Duration.ofSeconds(15).toNanos();
      }
      Thread.sleep(1000);
    }
  }

  /**
   * Alerts about parts of the platform the drills do not run, by group ({@code alertname on service}),
   * each with why it fires there: what they say is true of the drills' environment, so they are listed
   * apart in the report and fail neither the healthy stretch nor a drill.
   */
  public static final Map<String, String> NOT_IN_THE_DRILLS = Map.of("LostOrderListStale on reconciler",
      "the drills run no lost-order reconciler (reconciler/README.md tests it on its own), so Prometheus never"
          + " sees a complete run, which is what this ticket says 15 minutes after Prometheus starts");

  /** The drill of {@code id} ("1".."9", "0" for the orders page). */
  public static Optional<Drill> byId(String id) {
    return ALL.stream().filter(d -> d.id().equals(id)).findFirst();
  }

  private static Drill.Action fault(Fault fault) {
    return new Drill.Action() {
      @Override
      public void on(Stack stack, CustomerLoad customers) {
        stack.fault(fault, true);
      }

      @Override
      public void off(Stack stack, CustomerLoad customers) {
        stack.fault(fault, false);
      }
    };
  }
}
