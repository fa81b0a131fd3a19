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
 * Tempo and Loki.
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
    Path sink = dir.resolve("sink.yaml");
    // lists are replaced, maps merged: only the receiver's port and the pipelines' exporters change
    Files.writeString(sink, String.join("\n",
        "receivers:",
        "  otlp:",
        "    protocols:",
        "      http:",
        "        endpoint: 127.0.0.1:" + otlpPort,
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
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(otlp.resolve(path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }
}
