package dev.loupe.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The list from real databases in the sample apps' schemas, read as the read-only role: every stage,
 * each deadline, the window, orders the MES DB has and the Shop DB does not, and the three outputs.
 */
@ExtendWith(Databases.Extension.class)
class ReconcilerTest {

  @BeforeEach
  void emptyDatabases(Databases db) throws Exception {
    db.recreate();
  }

  /** One Shop DB order, placed {@code age} ago ({@code interval} text), with a customer's personal data. */
  private static void shopOrder(Databases db, String id, String status, String age) throws Exception {
    db.exec("shop", "INSERT INTO orders (id, item_id, customer_name, customer_email, customer_phone, model_key,"
        + " status, created_at) VALUES ('" + id + "', 1, 'Jane Roe', 'jane.roe@example.com', '+44 20 7946 0958',"
        + " 'models/" + id + "/ring.stl', '" + status + "', now() - interval '" + age + "')");
  }

  private static void mesOrder(Databases db, String id, String status, String age) throws Exception {
    db.exec("mes", "INSERT INTO orders (order_id, item_id, model_key, base_price_cents, status, received_at)"
        + " VALUES ('" + id + "', 1, 'models/" + id + "/ring.stl', 42000, '" + status + "', now() - interval '"
        + age + "')");
  }

  @Test
  void everyOrderPastItsStagesDeadlineIsListedWithItsLastStageAndNothingElse(Databases db, @TempDir Path out)
      throws Exception {
    shopOrder(db, "JW-000001", "NEW", "2 days");                       // never polled by the CRM
    shopOrder(db, "JW-000002", "AWAITING_CONFIRMATION", "1 hour");     // young: sellers have a day
    shopOrder(db, "JW-000003", "AWAITING_CONFIRMATION", "30 hours");   // no seller confirmed it
    shopOrder(db, "JW-000004", "CONFIRMED", "26 hours");               // published, never reached MES
    shopOrder(db, "JW-000005", "CONFIRMED", "24 hours 30 minutes");    // not yet past 25 h
    shopOrder(db, "JW-000006", "CALCULATING", "3 days");
    mesOrder(db, "JW-000006", "CALCULATING", "3 days");                // the calculation crashed or hangs
    shopOrder(db, "JW-000007", "CONFIRMED", "3 days");
    mesOrder(db, "JW-000007", "RECEIVED", "3 days");                   // status report lost on the way back
    shopOrder(db, "JW-000008", "MODEL_REJECTED", "2 days");
    mesOrder(db, "JW-000008", "MODEL_REJECTED", "2 days");             // MES cannot read the model
    shopOrder(db, "JW-000009", "PRICED", "3 days");
    mesOrder(db, "JW-000009", "PRICED", "3 days");                     // operators have a week
    shopOrder(db, "JW-000010", "PRICED", "8 days");
    mesOrder(db, "JW-000010", "PRICED", "8 days");                     // no operator took it
    shopOrder(db, "JW-000011", "IN_PRODUCTION", "20 days");
    mesOrder(db, "JW-000011", "IN_PRODUCTION", "20 days");             // accounted for
    shopOrder(db, "JW-000012", "RECEIVED", "2 days");                  // MES reported it, the MES DB lost it
    shopOrder(db, "JW-000013", "CONFIRMED", "40 days");                // outside the window
    shopOrder(db, "JW-000014", "SHIPPED", "10 days");
    mesOrder(db, "JW-000014", "SHIPPED", "10 days");                   // made and shipped: accounted for
    shopOrder(db, "JW-000015", "CONFIRMED", "12 days");
    mesOrder(db, "JW-000015", "SHIPPED", "12 days");                   // shipped, its status reports lost
    mesOrder(db, "HIST-000001", "IN_PRODUCTION", "3 days");            // MES history, not placed in this shop
    mesOrder(db, "JW-000000", "PRICED", "2 days");                     // sorts before every shop order
    mesOrder(db, "JW-000099", "PRICED", "2 days");                     // and after

    Run run = run(Databases.args(db.settings(out), "--since", "30d"));

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("14 orders placed since").contains("8 not where they should be");
    List<String> csv = Files.readAllLines(out.resolve("lost-orders.csv"));
    assertThat(csv.get(0)).isEqualTo("order_id,placed_at,last_stage,age_hours,journey_url");
    assertThat(csv.subList(1, csv.size())).extracting(ReconcilerTest::idAndStage).containsExactly(
        "JW-000001 shop accepted", "JW-000003 shop accepted", "JW-000004 CRM confirmed", "JW-000006 MES received",
        "JW-000007 MES received", "JW-000008 MES received", "JW-000010 priced", "JW-000012 CRM confirmed");
    assertThat(csv.get(1)).matches("JW-000001,20\\d\\d-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ,shop accepted,48\\.0\\d,"
        + "https://grafana\\.jewelry\\.internal/d/loupe-order-journey/order-journey\\?var-order_id=JW-000001");

    String summary = Files.readString(out.resolve("lost-orders.md"));
    assertThat(summary).contains("14 orders checked, 8 not where they should be")
        .contains("| shop accepted | 2 | 1d 0h |").contains("| CRM confirmed | 2 | 1d 1h |")
        .contains("| MES received | 3 | 1d 2h |").contains("| priced | 1 | 7d 0h |");
    // oldest first: the week-old priced order heads the list, the youngest listed one ends it
    assertThat(summary.indexOf("| JW-000010 |")).isLessThan(summary.indexOf("| JW-000006 |"));
    assertThat(summary.indexOf("| JW-000006 |")).isLessThan(summary.indexOf("| JW-000004 |"));

    String metrics = Files.readString(out.resolve("loupe-reconciler.prom"));
    assertThat(metrics).contains("loupe_orders_unaccounted{stage=\"shop_accepted\",} 2.0")
        .contains("loupe_orders_unaccounted{stage=\"crm_confirmed\",} 2.0")
        .contains("loupe_orders_unaccounted{stage=\"mes_received\",} 3.0")
        .contains("loupe_orders_unaccounted{stage=\"priced\",} 1.0")
        .contains("loupe_reconciler_orders_checked 14.0")
        .containsPattern("loupe_reconciler_last_success_timestamp_seconds \\d\\.\\d+E9");
    assertPromtoolAccepts(metrics);

    // no personal data: the business finds the customer by order id in its own CRM
    for (String file : List.of("lost-orders.csv", "lost-orders.md", "loupe-reconciler.prom")) {
      assertThat(Files.readString(out.resolve(file))).as(file).doesNotContainIgnoringCase("jane")
          .doesNotContain("example.com").doesNotContain("7946").doesNotContain("models/");
    }
    try (var files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("lost-orders.csv", "lost-orders.md", "loupe-reconciler.prom");
    }
  }

  @Test
  void deadlinesAndTheWindowAreSettings(Databases db, @TempDir Path out) throws Exception {
    shopOrder(db, "JW-000001", "CONFIRMED", "2 hours");
    shopOrder(db, "JW-000002", "CONFIRMED", "10 days");
    Map<String, String> settings = db.settings(out);
    settings.put("deadline.shop-accepted", "30m");
    settings.put("deadline.crm-confirmed", "1h");

    Run run = run(Databases.args(settings, "--since", "7d"));

    assertThat(run.exit()).as(run.err()).isZero();
    // the whole list: JW-000002, ten days old, is outside the 7-day window and must not be on it
    List<String> csv = Files.readAllLines(out.resolve("lost-orders.csv"));
    assertThat(csv.subList(1, csv.size())).extracting(ReconcilerTest::idAndStage)
        .containsExactly("JW-000001 CRM confirmed");
    assertThat(run.out()).contains("1 orders placed since");
  }

  /**
   * Another customer's legacy schemas, read with queries given as settings in a properties file, no code:
   * the Shop DB's table auftraege keeps a numeric state, the MES DB's table fertigung a one-letter phase,
   * its own names for every column, and an order number that is an integer.
   */
  @Test
  void anotherSchemaIsReadWithQueriesGivenAsSettings(Databases db, @TempDir Path out, @TempDir Path etc)
      throws Exception {
    db.exec("shop", """
        CREATE TABLE auftraege (nr BIGINT PRIMARY KEY, kunde TEXT NOT NULL, angelegt_am TIMESTAMPTZ NOT NULL,
                                zustand SMALLINT NOT NULL);
        INSERT INTO auftraege VALUES
          (1001, 'Erika Mustermann', now() - interval '3 days', 0),   -- new, no seller: shop accepted
          (1002, 'Erika Mustermann', now() - interval '3 days', 2),   -- confirmed, MES has nothing
          (1003, 'Erika Mustermann', now() - interval '3 days', 2),   -- MES still calculating
          (1004, 'Erika Mustermann', now() - interval '9 days', 2),   -- priced, no operator for a week
          (1005, 'Erika Mustermann', now() - interval '9 days', 2),   -- made and delivered
          (1006, 'Erika Mustermann', now() - interval '2 hours', 0),  -- young
          (1007, 'Erika Mustermann', now() - interval '60 days', 0),  -- outside the window
          (999, 'Erika Mustermann', now() - interval '3 days', 1);    -- sorts after 1007 as text
        GRANT SELECT (nr, angelegt_am, zustand) ON auftraege TO loupe_reconciler;
        """);
    db.exec("mes", """
        CREATE TABLE fertigung (auftrag TEXT PRIMARY KEY, eingang TIMESTAMPTZ NOT NULL, phase CHAR(1) NOT NULL);
        INSERT INTO fertigung VALUES
          ('1003', now() - interval '3 days', 'K'), ('1004', now() - interval '9 days', 'P'),
          ('1005', now() - interval '9 days', 'V'), ('999', now() - interval '3 days', 'F');
        GRANT SELECT (auftrag, eingang, phase) ON fertigung TO loupe_reconciler;
        """);
    Path config = etc.resolve("reconciler.properties");
    Properties p = new Properties();
    p.setProperty("shop-db.query", "SELECT nr::text AS order_id, angelegt_am AS placed_at,"
        + " CASE zustand WHEN 0 THEN 'shop_accepted' WHEN 1 THEN 'shop_accepted' WHEN 2 THEN 'crm_confirmed'"
        + " ELSE zustand::text END AS stage FROM auftraege WHERE angelegt_am >= ? ORDER BY nr::text COLLATE \"C\"");
    p.setProperty("mes-db.query", "SELECT auftrag AS order_id, CASE phase WHEN 'K' THEN 'mes_received'"
        + " WHEN 'P' THEN 'priced' WHEN 'F' THEN 'in_production' WHEN 'V' THEN 'in_production' ELSE phase END AS stage"
        + " FROM fertigung WHERE eingang >= ? ORDER BY auftrag COLLATE \"C\"");
    try (var w = Files.newBufferedWriter(config)) {
      p.store(w, null);
    }
    Map<String, String> settings = db.settings(out);

    Run run = run(Databases.args(settings, "--config", config.toString(), "--since", "30d"));

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("7 orders placed since").contains("4 not where they should be");
    List<String> csv = Files.readAllLines(out.resolve("lost-orders.csv"));
    assertThat(csv.subList(1, csv.size())).extracting(ReconcilerTest::idAndStage).containsExactly(
        "1001 shop accepted", "1002 CRM confirmed", "1003 MES received", "1004 priced");
    for (String file : List.of("lost-orders.csv", "lost-orders.md")) {
      assertThat(Files.readString(out.resolve(file))).as(file).doesNotContain("Mustermann");
    }
  }

  /** An order id the CSV and the link must carry safely: a comma, a quote, an ampersand, a space. */
  @Test
  void orderIdsAreQuotedInTheCsvAndEncodedInTheLink(Databases db, @TempDir Path out) throws Exception {
    shopOrder(db, "A&B, \"7\"", "NEW", "3 days");

    Run run = run(Databases.args(db.settings(out)));

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(Files.readAllLines(out.resolve("lost-orders.csv")).get(1)).startsWith("\"A&B, \"\"7\"\"\",")
        .endsWith("?var-order_id=A%26B%2C+%227%22");
  }

  /** The role of reconciler/deploy/*.sql reads the three columns of the default queries and can change nothing. */
  @Test
  void theReadOnlyRoleReadsOnlyWhatTheQueriesReadAndWritesNothing(Databases db) throws Exception {
    shopOrder(db, "JW-000001", "NEW", "1 hour");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(db.server().jdbcUrl("shop"), Databases.READER,
        Databases.READER_PASSWORD); java.sql.Statement s = c.createStatement()) {
      try (java.sql.ResultSet rs = s.executeQuery("SELECT id, created_at, status FROM orders")) {
        assertThat(rs.next()).isTrue();
      }
      assertThatThrownBy(() -> s.executeQuery("SELECT customer_email FROM orders"))
          .hasMessageContaining("permission denied for table orders");
      assertThatThrownBy(() -> s.executeUpdate("UPDATE orders SET status = 'IN_PRODUCTION'"))
          .hasMessageContaining("cannot execute UPDATE in a read-only transaction");
    }
  }

  private static String idAndStage(String csvLine) {
    String[] f = csvLine.split(",");
    return f[0] + " " + f[2];
  }

  static void assertPromtoolAccepts(String exposition) throws Exception {
    Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool check metrics: " + output).isZero();
  }

  /** What one run of the command printed and returned. */
  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

}
