package dev.loupe.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's redaction, second line of defence behind the agent, run by the real Collector with the
 * shipped {@code gateway.yaml} (and the local override, on free ports), on the agent extension's two
 * corpora ({@code agent-extension/src/test/resources/redaction/}): every ordinary framework line, sent
 * as a log body and as an attribute, arrives unchanged; no email, international phone number, card number
 * or bearer token of the personal corpus arrives (names, addresses, national phone numbers and named
 * secrets are the agent's to find: the gateway has no patterns for them, and the rate says how many it
 * lets through). And the end user's address is hidden on server spans while the database's is kept on
 * client spans. What arrives is what the gateway's OTLP/HTTP exporter sends on (as JSON), in place of
 * Tempo, Loki and Prometheus.
 *
 * <p>And the browsers' receiver ({@code otlp/frontend}, no token): a request carrying any service but the
 * front ends' ({@code LOUPE_FRONTEND_SERVICES}, default shop-web and mes-web) is refused and nothing of it
 * reaches the span metrics, Tempo or Loki, while shop-web's gets through; a front end's span or record
 * with a page or span name outside the known few arrives as {@code _OTHER}, without the attributes a
 * browser has no business setting.
 */
class GatewayRedactionTest {

  private static final Path CORPUS = CollectorConfigTest.FOLDER.resolve("../agent-extension/src/test/resources/redaction")
      .normalize();
  /** What the gateway's patterns are for; the agent finds the rest. */
  private static final Set<String> GATEWAY_KINDS = Set.of("email", "phone-international", "card", "token");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(90);

  private static final List<JsonNode> received = new CopyOnWriteArrayList<>();
  private static HttpServer backend;
  private static Process collector;
  private static Otelcol.Output output;
  private static URI otlp;
  private static URI frontend;
  private static Path dir;

  @BeforeAll
  static void startTheGateway() throws Exception {
    Otelcol.binary();
    dir = Files.createTempDirectory("loupe-gateway-redaction");
    backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/", exchange -> {
      try (exchange; InputStream in = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
          ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
        received.add(JSON.readTree(in));
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 2);
        exchange.getResponseBody().write("{}".getBytes(StandardCharsets.UTF_8));
      }
    });
    backend.start();
    Path ports = Otelcol.localPorts(dir);
    int otlpPort = Otelcol.freePort();
    otlp = URI.create("http://127.0.0.1:" + otlpPort);
    int frontendPort = Otelcol.freePort();
    frontend = URI.create("http://127.0.0.1:" + frontendPort);
    Path sink = dir.resolve("sink.yaml");
    // lists are replaced, maps merged: only the receiver's port and the pipelines' exporters change
    Files.writeString(sink, String.join("\n",
        "receivers:",
        "  otlp:",
        "    protocols:",
        "      http:",
        "        endpoint: 127.0.0.1:" + otlpPort,
        "  otlp/frontend:",
        "    protocols:",
        "      http:",
        "        endpoint: 127.0.0.1:" + frontendPort,
        "exporters:",
        "  otlp_http/sink:",
        "    endpoint: http://127.0.0.1:" + backend.getAddress().getPort(),
        "    encoding: json",
        "service:",
        "  pipelines:",
        "    traces/sampled:",
        "      exporters: [otlp_http/sink]",
        "    logs:",
        "      exporters: [otlp_http/sink]",
        "    logs/frontend:",
        "      exporters: [otlp_http/sink]",
        // the span metrics only: what Prometheus would get of the spans
        "    metrics:",
        "      receivers: [span_metrics]",
        "      exporters: [otlp_http/sink]",
        ""));
    collector = Otelcol.start(Map.of(), "--config", CollectorConfigTest.FOLDER.resolve("gateway.yaml").toString(),
        "--config", CollectorConfigTest.FOLDER.resolve("overrides/local.yaml").toString(), "--config", ports.toString(),
        "--config", sink.toString());
    output = Otelcol.Output.of(collector);
    HttpClient http = HttpClient.newHttpClient();
    URI health = URI.create("http://" + Otelcol.healthEndpoint(ports) + "/");
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        if (http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          break;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      assertThat(collector.isAlive() && System.nanoTime() < deadline).as("the gateway started:\n" + output.text()).isTrue();
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (collector != null) {
      collector.toHandle().destroy();
      if (!collector.waitFor(20, TimeUnit.SECONDS)) {
        collector.destroyForcibly().waitFor();
      }
    }
    if (backend != null) {
      backend.stop(0);
    }
  }

  @Test
  void ordinaryFrameworkTelemetryPassesTheGatewayUnchanged() throws Exception {
    List<String> lines = corpus("ordinary.txt");
    Map<Integer, String[]> out = sendAsLogs("ordinary", lines);
    List<String> changed = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String[] got = out.get(i);
      if (!lines.get(i).equals(got[0]) || !lines.get(i).equals(got[1])) {
        changed.add(lines.get(i) + "\n    became " + got[0] + "\n    and " + got[1]);
      }
    }
    System.out.printf("Gateway redaction precision: %d of %d ordinary values unchanged%n", lines.size() - changed.size(),
        lines.size());
    assertThat(lines).hasSizeGreaterThan(80);
    assertThat(changed).as("ordinary values the gateway changed").isEmpty();
  }

  @Test
  void noEmailPhoneCardOrTokenOfThePersonalCorpusPassesTheGateway() throws Exception {
    List<String[]> personal = new ArrayList<>();
    for (String line : corpus("personal.txt")) {
      personal.add(line.split("\t"));
    }
    List<String> texts = new ArrayList<>();
    personal.forEach(p -> texts.add(p[0]));
    Map<Integer, String[]> out = sendAsLogs("personal", texts);
    Map<String, int[]> byKind = new TreeMap<>();
    List<String> leaks = new ArrayList<>();
    for (int i = 0; i < personal.size(); i++) {
      String kind = personal.get(i)[2];
      for (String secret : personal.get(i)[1].split("\\|")) {
        int[] counts = byKind.computeIfAbsent(kind, k -> new int[2]);
        counts[0]++;
        String body = out.get(i)[0];
        if (body.contains(secret) || body.contains(URLEncoder.encode(secret, StandardCharsets.UTF_8))) {
          counts[1]++;
          if (GATEWAY_KINDS.contains(kind)) {
            leaks.add(kind + " '" + secret + "' passed in: " + body);
          }
        }
      }
    }
    StringBuilder rates = new StringBuilder("Gateway redaction on the personal corpus (kind: values, passed):");
    byKind.forEach((kind, c) -> rates.append(' ').append(kind).append(' ').append(c[0]).append('/').append(c[1]));
    System.out.println(rates);
    assertThat(leaks).as("what the gateway is for, let through").isEmpty();
    assertThat(GATEWAY_KINDS).allMatch(byKind::containsKey);
  }

  @Test
  void theEndUsersAddressIsHiddenOnServerSpansAndTheDatabasesKeptOnClientSpans() throws Exception {
    String trace = "5b8efff798038103d269b633813fc60c";
    // ERROR spans: tail sampling keeps every trace with an error, so both reach the sink
    String spans = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[" + attr("service.name", "shop-api") + "]},"
        + "\"scopeSpans\":[{\"spans\":["
        + span(trace, "eee19b7ec3c1b174", "", "GET /api/orders/{orderId}", 2, attr("client.address", "203.0.113.7") + ","
            + attr("network.peer.address", "203.0.113.7") + "," + attr("server.address", "shop.jewelry.example") + ","
            + attr("http.request.header.x-forwarded-for", "203.0.113.7"))
        + "," + span(trace, "eee19b7ec3c1b175", "eee19b7ec3c1b174", "SELECT loupe_shop.orders", 3,
            attr("server.address", "10.0.4.12") + "," + attr("network.peer.address", "10.0.4.12") + ","
            + attr("db.statement", "select * from orders where order_id=?"))
        + "]}]}]}";
    post("/v1/traces", spans);
    Map<String, Map<String, String>> got = awaitSpans(trace, 2);
    assertThat(got.get("eee19b7ec3c1b174")).containsEntry("client.address", "****")
        .containsEntry("network.peer.address", "****").containsEntry("http.request.header.x-forwarded-for", "****")
        .containsEntry("server.address", "shop.jewelry.example");
    assertThat(got.get("eee19b7ec3c1b175")).containsEntry("server.address", "10.0.4.12")
        .containsEntry("network.peer.address", "10.0.4.12")
        .containsEntry("db.statement", "select * from orders where order_id=?");
  }

  /**
   * Browsers cannot hold a token, so anyone can send to their receiver: only the front ends' services get
   * through. Sent there: an error span of shop-web, and error spans claiming to be shop-api (a server span
   * with a route, as the APIs' alerts read) and a made-up front end, and a log record of each. shop-web's
   * reach the sink (Tempo's and Loki's place) and the span metrics; the others' requests are refused and
   * nothing of them arrives anywhere, even after the span metrics have flushed shop-web's span.
   */
  @Test
  void theBrowsersReceiverTakesOnlyTheFrontEndsServices() throws Exception {
    String shop = "0af7651916cd43dd8448eb211c80319c";
    String forgedApi = "0af7651916cd43dd8448eb211c80319d";
    String madeUp = "0af7651916cd43dd8448eb211c80319e";
    post(frontend, "/v1/traces", spans("shop-web", span(shop, "b7ad6b7169203331", "", "unhandled rejection", 1,
        attr("app.screen.name", "order-form"))), true);
    post(frontend, "/v1/traces", spans("shop-api", span(forgedApi, "b7ad6b7169203332", "", "forged POST /api/orders", 2,
        attr("http.route", "/api/orders") + "," + attr("app.screen.name", "order-form"))), false);
    post(frontend, "/v1/traces", spans("forged-web", span(madeUp, "b7ad6b7169203333", "", "unhandled rejection", 1,
        attr("app.screen.name", "order-form"))), false);
    post(frontend, "/v1/logs", logs("shop-web", "shop-web's own record"), true);
    post(frontend, "/v1/logs", logs("shop-api", "forged record of shop-api"), false);
    post(frontend, "/v1/logs", logs("forged-web", "forged record of a made-up front end"), false);

    assertThat(awaitSpans(shop, 1)).containsKey("b7ad6b7169203331");
    awaitSpanMetric("shop-web", "unhandled rejection");
    awaitLogBody("shop-web's own record");
    String everything = received.toString();
    assertThat(everything).doesNotContain(forgedApi, madeUp, "forged", "forged-web");
  }

  /**
   * What a front end sends becomes labels (the span metrics' span name and app.screen.name) only among a
   * known few: a page or span name outside them arrives as {@code _OTHER}, a route (a browser has none)
   * and dimensions on the resource do not arrive; text is cut to its bound.
   */
  @Test
  void aFrontEndsNamesAreBoundedBeforeTheyBecomeLabels() throws Exception {
    String trace = "1af7651916cd43dd8448eb211c80319c";
    String resource = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[" + attr("service.name", "mes-web") + ","
        + attr("app.screen.name", "resource-page") + "," + attr("service.namespace", "elsewhere") + "]},"
        + "\"scopeSpans\":[{\"spans\":[";
    post(frontend, "/v1/traces", resource
        + span(trace, "c7ad6b7169203331", "", "GET /orders/4711", 1, attr("app.screen.name", "/orders/4711")
            + "," + attr("http.route", "/orders/{id}") + "," + attr("http.request.method", "BREW") + ","
            + attr("browser.note", "x".repeat(5000)))
        + "," + span(trace, "c7ad6b7169203332", "", "GET", 3, attr("app.screen.name", "orders-page"))
        + "]}]}]}", true);
    Map<String, Map<String, String>> got = awaitSpans(trace, 2);
    assertThat(got.get("c7ad6b7169203331")).containsEntry("app.screen.name", "_OTHER")
        .containsEntry("http.request.method", "_OTHER").doesNotContainKey("http.route");
    assertThat(got.get("c7ad6b7169203331").get("browser.note")).hasSize(2048);
    assertThat(got.get("c7ad6b7169203332")).containsEntry("app.screen.name", "orders-page");
    awaitSpanMetric("mes-web", "_OTHER");
    awaitSpanMetric("mes-web", "GET");
    String everything = received.toString();
    assertThat(everything).doesNotContain("GET /orders/4711", "/orders/4711", "resource-page", "elsewhere");
  }

  /** Waits for a span-metrics point of {@code service} and {@code spanName} (the sink gets them every 15 s). */
  private static void awaitSpanMetric(String service, String spanName) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      for (JsonNode message : received) {
        for (JsonNode rm : message.path("resourceMetrics")) {
          if (!service.equals(attributes(rm.path("resource").path("attributes")).get("service.name"))) {
            continue;
          }
          for (JsonNode point : rm.findValues("dataPoints")) {
            for (JsonNode p : point) {
              if (spanName.equals(attributes(p.path("attributes")).get("span.name"))) {
                return;
              }
            }
          }
        }
      }
      assertThat(System.nanoTime()).as("span metrics of %s's %s:%n%s", service, spanName, output.text())
          .isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  private static void awaitLogBody(String body) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!received.toString().contains(body)) {
      assertThat(System.nanoTime()).as("the record %s:%n%s", body, output.text()).isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  private static String spans(String service, String span) throws IOException {
    return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[" + attr("service.name", service) + "]},"
        + "\"scopeSpans\":[{\"spans\":[" + span + "]}]}]}";
  }

  private static String logs(String service, String body) throws IOException {
    return "{\"resourceLogs\":[{\"resource\":{\"attributes\":[" + attr("service.name", service) + "]},"
        + "\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"" + System.currentTimeMillis() * 1_000_000L
        + "\",\"severityNumber\":17,\"body\":{\"stringValue\":" + JSON.writeValueAsString(body) + "}}]}]}]}";
  }

  // --- sending and receiving ---------------------------------------------------------------------

  private static List<String> corpus(String name) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(CORPUS.resolve(name), StandardCharsets.UTF_8)) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        out.add(line);
      }
    }
    return out;
  }

  /**
   * Each text as a log record's body and as its attribute {@code corpus.text}, tagged {@code corpus} and
   * {@code corpus.index}; what arrived for each index: {body, attribute}.
   */
  private static Map<Integer, String[]> sendAsLogs(String corpus, List<String> texts) throws Exception {
    ArrayNode records = JSON.createArrayNode();
    for (int i = 0; i < texts.size(); i++) {
      ObjectNode record = records.addObject();
      record.put("timeUnixNano", Long.toString(System.currentTimeMillis() * 1_000_000L));
      record.putObject("body").put("stringValue", texts.get(i));
      ArrayNode attributes = record.putArray("attributes");
      attributes.addObject().put("key", "corpus").putObject("value").put("stringValue", corpus);
      attributes.addObject().put("key", "corpus.index").putObject("value").put("intValue", Integer.toString(i));
      attributes.addObject().put("key", "corpus.text").putObject("value").put("stringValue", texts.get(i));
    }
    ObjectNode request = JSON.createObjectNode();
    ObjectNode resource = request.putArray("resourceLogs").addObject();
    resource.putObject("resource").putArray("attributes").addObject().put("key", "service.name")
        .putObject("value").put("stringValue", "crm-api");
    resource.putArray("scopeLogs").addObject().set("logRecords", records);
    post("/v1/logs", JSON.writeValueAsString(request));

    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Map<Integer, String[]> out = new HashMap<>();
      for (JsonNode message : received) {
        for (JsonNode rl : message.path("resourceLogs")) {
          for (JsonNode sl : rl.path("scopeLogs")) {
            for (JsonNode lr : sl.path("logRecords")) {
              Map<String, String> a = attributes(lr.path("attributes"));
              if (corpus.equals(a.get("corpus"))) {
                out.put(Integer.valueOf(a.get("corpus.index")),
                    new String[] {lr.path("body").path("stringValue").asText(), a.get("corpus.text")});
              }
            }
          }
        }
      }
      if (out.size() == texts.size()) {
        return out;
      }
      assertThat(System.nanoTime()).as("all %d %s records through the gateway (%d so far):%n%s", texts.size(), corpus,
          out.size(), output.text()).isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  private static Map<String, Map<String, String>> awaitSpans(String trace, int count) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Map<String, Map<String, String>> out = new LinkedHashMap<>();
      for (JsonNode message : received) {
        for (JsonNode rs : message.path("resourceSpans")) {
          for (JsonNode ss : rs.path("scopeSpans")) {
            for (JsonNode s : ss.path("spans")) {
              if (trace.equalsIgnoreCase(s.path("traceId").asText())) {
                out.put(s.path("spanId").asText().toLowerCase(), attributes(s.path("attributes")));
              }
            }
          }
        }
      }
      if (out.size() == count) {
        return out;
      }
      assertThat(System.nanoTime()).as("the spans of trace %s through tail sampling:%n%s", trace, output.text())
          .isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  private static Map<String, String> attributes(JsonNode list) {
    Map<String, String> out = new HashMap<>();
    for (JsonNode a : list) {
      JsonNode v = a.path("value");
      out.put(a.path("key").asText(), v.has("stringValue") ? v.path("stringValue").asText() : v.path("intValue").asText());
    }
    return out;
  }

  private static String attr(String key, String value) throws IOException {
    return "{\"key\":" + JSON.writeValueAsString(key) + ",\"value\":{\"stringValue\":" + JSON.writeValueAsString(value) + "}}";
  }

  private static String span(String trace, String id, String parent, String name, int kind, String attributes) {
    long now = System.currentTimeMillis() * 1_000_000L;
    return "{\"traceId\":\"" + trace + "\",\"spanId\":\"" + id + "\",\"parentSpanId\":\"" + parent + "\",\"name\":\""
        + name + "\",\"kind\":" + kind + ",\"startTimeUnixNano\":\"" + (now - 5_000_000L) + "\",\"endTimeUnixNano\":\""
        + now + "\",\"status\":{\"code\":2},\"attributes\":[" + attributes + "]}";
  }

  private static void post(String path, String json) throws Exception {
    post(otlp, path, json, true);
  }

  /** Posts OTLP/JSON to {@code receiver}, expecting 200 if {@code accepted}, else a refusal (any 4xx or 5xx). */
  private static void post(URI receiver, String path, String json, boolean accepted) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(receiver.resolve(path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (accepted) {
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    } else {
      assertThat(response.statusCode()).as(response.body()).isBetween(400, 599);
    }
  }
}
