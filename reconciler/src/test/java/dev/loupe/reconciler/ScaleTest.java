package dev.loupe.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two years of orders at the seed's estimate, 240 000, in the real PostgreSQL, reconciled by the command in
 * its own JVM with a 32 MiB heap: holding the two tables' rows at once would need several times that, so
 * a run that completes has streamed them. The figure goes in reconciler/README.md.
 */
@ExtendWith(Databases.Extension.class)
class ScaleTest {

  static final int ORDERS = 240_000;
  static final String HEAP = "-Xmx32m";

  @Test
  void twoYearsOfOrdersAreReconciledInUnderAMinuteInA32MibHeap(Databases db, @TempDir Path out) throws Exception {
    db.recreate();
    // one order every 263 s for two years; one in a thousand each never confirmed, lost before MES, stuck
    // in the calculation; the rest in production, most of them shipped (as in the MES's seeded history)
    db.exec("shop", "INSERT INTO orders (id, item_id, customer_name, customer_email, model_key, status, created_at)"
        + " SELECT 'JW-' || lpad(g::text, 7, '0'), 1 + g % 4, 'Customer ' || g, 'c' || g || '@example.com',"
        + " 'models/' || g, CASE g % 1000 WHEN 1 THEN 'AWAITING_CONFIRMATION' WHEN 2 THEN 'CONFIRMED'"
        + " WHEN 3 THEN 'CALCULATING' ELSE 'IN_PRODUCTION' END, now() - (g * interval '263 seconds') - interval '2 days'"
        + " FROM generate_series(1, " + ORDERS + ") AS g");
    db.exec("mes", "INSERT INTO orders (order_id, item_id, model_key, base_price_cents, status, received_at)"
        + " SELECT 'JW-' || lpad(g::text, 7, '0'), 1 + g % 4, 'models/' || g, 42000,"
        + " CASE WHEN g % 1000 = 3 THEN 'CALCULATING' WHEN g % 10 < 9 THEN 'SHIPPED' ELSE 'IN_PRODUCTION' END,"
        + " now() - (g * interval '263 seconds') - interval '2 days' + interval '1 minute'"
        + " FROM generate_series(1, " + ORDERS + ") AS g WHERE g % 1000 NOT IN (1, 2)");
    db.exec("shop", "ANALYZE orders");
    db.exec("mes", "ANALYZE orders");

    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        HEAP, "-cp", classpath(), Main.class.getName()));
    command.addAll(List.of(Databases.args(db.settings(out), "--since", "800d")));
    long started = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    double seconds = (System.nanoTime() - started) / 1e9;

    assertThat(p.exitValue()).as(printed).isZero();
    System.out.printf("Scale: %d orders reconciled in %.1f s (JVM start included) with %s%n%s", ORDERS, seconds, HEAP,
        printed);
    assertThat(printed).contains(ORDERS + " orders placed since");
    List<String> csv = Files.readAllLines(out.resolve("lost-orders.csv"));
    Map<String, Long> byStage = csv.subList(1, csv.size()).stream()
        .collect(Collectors.groupingBy(l -> l.split(",")[2], Collectors.counting()));
    assertThat(byStage).containsExactlyInAnyOrderEntriesOf(Map.of("shop accepted", 240L, "CRM confirmed", 240L,
        "MES received", 240L));
    assertThat(seconds).as("seconds for " + ORDERS + " orders").isLessThan(60);

    // the heap is a real bound: fetched whole instead of streamed, the same rows do not fit in it
    command.addAll(List.of("--set", "fetch-size=1000000", "--output", out.resolve("whole").toString()));
    Process whole = new ProcessBuilder(command).redirectErrorStream(true).start();
    String wholePrinted = new String(whole.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(whole.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(whole.exitValue()).as(wholePrinted).isNotZero();
    assertThat(wholePrinted).contains("OutOfMemoryError");
    assertThat(out.resolve("whole/lost-orders.csv")).doesNotExist();
  }

  /** The test classpath: the reconciler's classes and its dependencies. */
  private static String classpath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }
}
