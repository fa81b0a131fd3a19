package dev.loupe.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.sample.stack.Eventually;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The periodic mode: {@code --every} lists again and again and serves {@code /metrics}. While a database
 * refuses the reconciler, the failed runs are counted and the last success's time stands still, which is
 * what the alert LostOrderListStale reads.
 */
@ExtendWith(Databases.Extension.class)
class PeriodicModeTest {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void everyRunUpdatesTheMetricsAndAFailingRunLeavesTheLastSuccessStanding(Databases db, @TempDir Path out)
      throws Exception {
    db.recreate();
    db.exec("shop", "INSERT INTO orders (id, item_id, customer_name, customer_email, model_key, status, created_at)"
        + " VALUES ('JW-000001', 1, 'Jane Roe', 'jane@example.com', 'm', 'CONFIRMED', now() - interval '3 days')");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Map<String, String> settings = db.settings(out);
    settings.put("metrics.port", Integer.toString(port));
    String[] args = Databases.args(settings, "--every", "500ms");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream sink = new PrintStream(printed, true, StandardCharsets.UTF_8);
    int[] exit = {-1};
    Thread reconciler = new Thread(() -> exit[0] = Main.run(args, Map.of(), sink, sink), "reconciler");
    reconciler.start();
    try {
      URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
      String first = Eventually.await("two complete runs on " + metrics, Duration.ofSeconds(60),
          () -> scrape(metrics).filter(m -> value(m, "loupe_reconciler_runs_total\\{outcome=\"complete\",}") >= 2));
      assertThat(first).contains("loupe_orders_unaccounted{stage=\"crm_confirmed\",} 1.0");
      double lastSuccess = value(first, "loupe_reconciler_last_success_timestamp_seconds");
      assertThat(lastSuccess).isGreaterThan(0);

      db.exec("mes", "REVOKE SELECT ON orders FROM " + Databases.READER);
      String failing = Eventually.await("two failed runs", Duration.ofSeconds(60),
          () -> scrape(metrics).filter(m -> value(m, "loupe_reconciler_runs_total\\{outcome=\"failed\",}") >= 2));
      double stale = value(failing, "loupe_reconciler_last_success_timestamp_seconds");
      Thread.sleep(1_500);
      String later = scrape(metrics).orElseThrow();
      assertThat(value(later, "loupe_reconciler_last_success_timestamp_seconds")).isEqualTo(stale);
      assertThat(later).contains("loupe_orders_unaccounted{stage=\"crm_confirmed\",} 1.0");
      assertThat(printed.toString(StandardCharsets.UTF_8)).contains("setting mes-db.query: user 'loupe_reconciler'"
          + " may not read");
    } finally {
      reconciler.interrupt();
      reconciler.join(30_000);
    }
    assertThat(reconciler.isAlive()).isFalse();
    assertThat(exit[0]).isZero();
  }

  private Optional<String> scrape(URI uri) throws Exception {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }

  private static double value(String exposition, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(exposition);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }
}
