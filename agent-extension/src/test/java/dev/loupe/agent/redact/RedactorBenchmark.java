package dev.loupe.agent.redact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.bench.PerCall;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What redaction costs per exported value, with the default settings, on the kinds of values the sample
 * apps export: span names, SQL, URLs, thread and code names, log bodies, a stack trace — and a few that
 * carry personal data. Prints nanoseconds and bytes allocated per value for each kind.
 *
 * <p>Not part of {@code mvn verify}:
 *
 * <pre>
 * mvn -B verify -pl agent-extension -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=RedactorBenchmark
 * </pre>
 *
 * {@code loupe.bench.seconds} sets the measured time per kind (default 3; as long again to warm up).
 */
class RedactorBenchmark {

  record Value(String kind, String key, String text) {}

  static List<Value> corpus() {
    List<Value> v = new ArrayList<>();
    v.add(new Value("span name", null, "GET /api/orders/{orderId}"));
    v.add(new Value("span name", null, "SELECT shop.orders"));
    v.add(new Value("route", "http.route", "/api/orders/{orderId}"));
    v.add(new Value("sql", "db.query.text", "SELECT o.order_id, o.item_id, o.status, o.customer_name, o.ring_size, "
        + "o.base_price_cents, o.operator_id, o.received_at FROM orders o WHERE o.status = ? ORDER BY o.received_at "
        + "DESC LIMIT ? OFFSET ?"));
    v.add(new Value("sql", "db.query.text", "INSERT INTO orders (order_id, item_id, customer_name, customer_email, "
        + "customer_phone, ring_size, engraving, model_key, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    v.add(new Value("url", "url.full", "http://127.0.0.1:38701/api/orders/JW-004217"));
    v.add(new Value("url", "url.full", "http://127.0.0.1:32959/loupe-models/orders/JW-004217/ring.stl?x-id=PutObject"));
    v.add(new Value("names", "thread.name", "http-nio-38701-exec-3"));
    v.add(new Value("names", "code.function.name", "dev.loupe.sample.mes.OrderIntake.handleDelivery"));
    v.add(new Value("names", "user_agent.original", "Java-http-client/17.0.15"));
    v.add(new Value("names", "messaging.destination.name", "mes.order-intake"));
    v.add(new Value("log body", null, "Order JW-004217 placed for item 4, ring size 54; model stored as "
        + "orders/JW-004217/ring.stl (18734 bytes)"));
    v.add(new Value("log body", null, "Price of JW-004217 calculated in 312 ms: 129900 cents; status PRICED sent "
        + "to crm.order-status"));
    v.add(new Value("stack trace", "exception.stacktrace", stackTrace()));
    v.add(new Value("personal", "url.query", "customerName=Ada+Lovelace&customerEmail=ada.lovelace%40example.org"
        + "&customerPhone=%2B44+20+7946+0958"));
    v.add(new Value("personal", null, "Payment by card 4111 1111 1111 1111 declined for ada.lovelace@example.org, "
        + "call +44 20 7946 0958"));
    v.add(new Value("personal", "http.request.header.authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2ln"));
    return v;
  }

  private static String stackTrace() {
    StringWriter out = new StringWriter();
    Exception e = new IllegalStateException("could not calculate the price of JW-004217",
        new java.net.SocketTimeoutException("Read timed out after 1500 ms (jdbc:postgresql://127.0.0.1:41669/mes)"));
    e.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  @Test
  void costPerValue() {
    Redactor redactor = RedactionSettings.parse(Map.<String, String>of()::get, Map.<String, String>of()::get).redactor();
    long millis = Long.getLong("loupe.bench.seconds", 3) * 1000;
    List<Value> corpus = corpus();
    for (Value value : corpus) {
      String out = redactor.redact(value.key(), value.text());
      if (value.kind().equals("personal")) {
        assertThat(out).as("the benchmark measures real redaction").isNotEqualTo(value.text()).contains("[REDACTED:");
      } else {
        assertThat(out).as("nothing to hide in a " + value.kind()).isSameAs(value.text());
      }
    }
    System.out.printf("[redaction] default settings; %d ms measured per kind after as long warming up%n", millis);
    System.out.println("| kind | values | chars | ns per value | ns per char | bytes allocated per value |");
    System.out.println("|---|---|---|---|---|---|");
    long sink = 0;
    for (String kind : corpus.stream().map(Value::kind).distinct().toList()) {
      List<Value> values = corpus.stream().filter(v -> v.kind().equals(kind)).toList();
      int chars = values.stream().mapToInt(v -> v.text().length()).sum();
      PerCall cost = PerCall.measure(() -> {
        long n = 0;
        for (Value v : values) {
          n += redactor.redact(v.key(), v.text()).length();
        }
        return n;
      }, values.size(), millis);
      sink += cost.sink();
      System.out.printf(Locale.ROOT, "| %s | %d | %d | %.0f | %.2f | %.0f |%n", kind, values.size(), chars / values.size(),
          cost.nanos(), cost.nanos() * values.size() / chars, cost.bytes());
    }
    assertThat(sink).isPositive();
  }

}
