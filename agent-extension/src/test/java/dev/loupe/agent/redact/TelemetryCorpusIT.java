package dev.loupe.agent.redact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.agent.harness.OtlpReceiver.ExportedSpan;
import dev.loupe.sample.loadgen.Customer;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import dev.loupe.sample.loadgen.RingModel;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Acceptance: customer emails, phones, addresses, card numbers and a bearer token sent to the three
 * apps in form payloads, headers (captured by the agent, as an operator might configure), query
 * strings and paths; then every byte the agents exported is searched. None of the values appears, in
 * any encoding; the order id does.
 */
class TelemetryCorpusIT {

  private static final Customer CUSTOMER = new Customer("Ottilie Vanderbrook", "ottilie.vanderbrook.7731@example.com",
      "+44 20 7946 0731");
  private static final String ADDRESS = "17 Hatton Garden, London EC1N 8JY";
  private static final String CARD = "4539 1488 0343 6467";
  private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvdHRpbGllIn0.Zm9yLXRoZS1jb3JwdXMtdGVzdA";
  private static final String CAPTURED_HEADERS = "x-customer-email,x-customer-phone,x-customer-address,x-card-number,authorization";

  @Test
  void noPersonalValueLeavesAnyServiceWhileTheOrderIdDoes() throws Exception {
    List<String> placed = new ArrayList<>();
    OtlpReceiver receiver = new OtlpReceiver();
    List<String> extra = List.of(
        "-Dotel.instrumentation.http.server.capture-request-headers=" + CAPTURED_HEADERS,
        "-Dotel.instrumentation.http.client.capture-request-headers=" + CAPTURED_HEADERS);
    try (receiver; Stack stack = AgentStack.start("corpus", receiver, true,
        Map.of(Service.SHOP, extra, Service.CRM, extra, Service.MES, extra))) {
      PipelineClient client = stack.client();
      String orderId = client.placeOrder(new OrderRequest(1, CUSTOMER, "17.5", "Forever", RingModel.band(17.5, 1.8, 5)))
          .orderId();
      assertThat(orderId).isNotNull();
      placed.add(orderId);
      // an engraving the shop refuses, carrying a card number: refused input is often logged
      client.placeOrder(new OrderRequest(1, CUSTOMER, "17.5", CARD + " " + CUSTOMER.email(), RingModel.band(17.5, 1.8, 5)));

      HttpClient http = HttpClient.newHttpClient();
      String query = "?email=" + enc(CUSTOMER.email()) + "&phone=" + enc(CUSTOMER.phone()) + "&address=" + enc(ADDRESS)
          + "&card=" + enc(CARD) + "&q=" + enc(CUSTOMER.email());
      for (URI uri : List.of(
          stack.url(Service.SHOP).resolve("/api/orders/" + orderId + query),
          stack.url(Service.CRM).resolve("/api/orders" + query),
          stack.url(Service.MES).resolve("/api/orders" + query + "&status=PRICED"),
          stack.url(Service.MES).resolve("/api/orders/" + enc(CUSTOMER.email())),
          stack.url(Service.SHOP).resolve("/api/orders/" + enc(CUSTOMER.email())))) {
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(uri)
            .header("X-Customer-Email", CUSTOMER.email())
            .header("X-Customer-Phone", CUSTOMER.phone())
            .header("X-Customer-Address", ADDRESS)
            .header("X-Card-Number", CARD)
            .header("Authorization", "Bearer " + JWT)
            .GET().build(), HttpResponse.BodyHandlers.discarding());
        assertThat(response.statusCode()).as(uri.toString()).isLessThan(500);
      }
      Eventually.await("the order priced by MES", Duration.ofSeconds(60),
          () -> client.mesOrder(orderId).filter(o -> "PRICED".equals(o.path("status").asText())));

      // the values reached the telemetry pipeline and were hidden there, not merely never captured
      ExportedSpan shopRead = Eventually.await("the shop's span of the read with the corpus", Duration.ofSeconds(30),
          () -> receiver.spans().stream().filter(s -> s.service().equals("shop-api")
              && s.attributes().containsKey("http.request.header.x-customer-email")).findFirst());
      assertThat(shopRead.attributes().get("http.request.header.x-customer-email")).isEqualTo("[[REDACTED:value]]");
      assertThat(shopRead.attributes().get("url.query")).contains("[REDACTED:");
      assertThat(shopRead.attributes()).containsEntry("order.id", orderId);
    }

    byte[] everything = concatenate(receiver.raw());
    String haystack = new String(everything, StandardCharsets.ISO_8859_1);
    System.out.printf("Searched %,d bytes of exported telemetry in %d requests%n", everything.length, receiver.raw().size());
    for (String value : forbidden()) {
      int at = haystack.indexOf(latin1(value));
      assertThat(at).as("exported telemetry contains '%s' in: %s", value, around(haystack, at)).isNegative();
    }
    assertThat(haystack).contains(placed.get(0));
  }

  /** Each value as sent, URL-encoded both ways, and bare digits. */
  private static Set<String> forbidden() {
    Set<String> out = new LinkedHashSet<>();
    for (String v : List.of(CUSTOMER.name(), CUSTOMER.email(), CUSTOMER.phone(), ADDRESS, CARD, JWT, "Vanderbrook", "Hatton Garden")) {
      out.add(v);
      out.add(enc(v));
      out.add(enc(v).replace("+", "%20"));
    }
    out.add(CARD.replace(" ", ""));
    out.add(CUSTOMER.phone().replace(" ", ""));
    out.add(CUSTOMER.email().replace("@", "%40"));
    return out;
  }

  /** What surrounds a leak, printable, to find which attribute or record carried it. */
  private static String around(String haystack, int at) {
    if (at < 0) {
      return "";
    }
    return haystack.substring(Math.max(0, at - 300), Math.min(haystack.length(), at + 100))
        .replaceAll("[^\\x20-\\x7e]", ".");
  }

  private static String latin1(String s) {
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static byte[] concatenate(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(out::writeBytes);
    return out.toByteArray();
  }
}
