package dev.loupe.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.collector.CollectorUnavailableException;
import dev.loupe.collector.LoupeCollector;
import dev.loupe.drills.Agents;
import dev.loupe.drills.Gateway;
import dev.loupe.drills.OtlpSink;
import dev.loupe.drills.Prometheus;
import dev.loupe.drills.Tools;
import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failure point 8 seen from the browser, end to end: the shop's order form and the MES orders page,
 * served by the real shop-api and mes-api under the agent and the extension, opened in Debian's headless
 * Chromium (driven by playwright-core, {@code src/test/js/browser-session.mjs}) with the committed bundle
 * {@code dist/loupe-telemetry.js} deployed beside them as an operator would, exporting to the real
 * gateway Collector ({@code loupe-otelcol}, shipped config, local override) and through it to stand-ins
 * for Tempo and Loki.
 *
 * <p>The one change to the shipped config besides loopback ports: tail sampling keeps every trace here
 * (the healthy order's trace is checked whole; {@code CollectorPathIT} tests the sampling itself).
 */
class BrowserTelemetryIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  /** What the customer types: values found nowhere else, so any trace of them in telemetry is a leak. */
  private static final Map<String, String> FORM = new LinkedHashMap<>(Map.of(
      "name", "Zephyrine Quillfeather",
      "email", "zephyrine.quillfeather@example.org",
      "phone", "+48 512 771 903",
      "ring-size", "17.5",
      "engraving", "Moonlit-Orchard-7731"));
  private static final String MODEL_FILE = "quillfeather-signet.stl";
  /** What the search page's user types: found nowhere else. */
  private static final String SEARCHED = "Quentavius Brackenridge";
  /** Pieces of the form's values as they could appear in any encoding (as typed, URL-encoded, in JSON). */
  private static final List<String> NEEDLES = List.of("quillfeather", "zephyrine", "moonlit-orchard", "moonlit orchard",
      "512 771 903", "512+771+903", "512%20771%20903");

  @Test
  void aScriptErrorOnSubmitIsRecordedWithTheOrderIdAndTheFetchContinuesIntoTheApi(@TempDir Path dir) throws Exception {
    Path collector = collectorOrSkip();
    assertThat(CHROMIUM).as("Debian's chromium (tools/prerequisites tests installs it)").exists();
    Path repository = Tools.repository();
    Path agent = repository.resolve("agent-extension/target/agent/opentelemetry-javaagent.jar");
    Path extension = repository.resolve("agent-extension/target/loupe-agent-extension.jar");
    assertThat(agent).as("the agent jar (copied by agent-extension's build)").exists();
    assertThat(extension).as("the extension jar (built by agent-extension)").exists();

    try (OtlpSink tempo = new OtlpSink(); OtlpSink loki = new OtlpSink();
        Prometheus prometheus = Prometheus.start(dir.resolve("prometheus"), rulesOnly(repository))) {
      Gateway.Builder gateway = Gateway.builder(collector, dir.resolve("collector"))
          .backends(tempo.grpcEndpoint(), loki.httpEndpoint().resolve("/otlp"), prometheus.remoteWrite())
          .override(Map.of("processors", Map.of("tail_sampling", Map.of("decision_wait", "2s",
              "policies", List.of(Map.of("name", "every-trace", "type", "always_sample"))))));
      // the operator's part: the bundle and its settings in a folder the apps serve beside their pages
      Path web = dir.resolve("web");
      Files.createDirectories(web.resolve("loupe"));
      Files.copy(repository.resolve("frontend-telemetry/dist/loupe-telemetry.js"), web.resolve("loupe/telemetry.js"));
      // the orders page's own query parameters say nothing of a person: the operator lets URLs keep them
      String settings = JSON.writeValueAsString(Map.of("collectorUrl", gateway.frontendOtlpHttp().toString(),
          "urlQueryParams", List.of("status", "page", "size")));
      Files.writeString(web.resolve("loupe/telemetry.json"), settings);
      Files.copy(repository.resolve("frontend-telemetry/src/test/resources/web/search.html"), web.resolve("search.html"));

      try (Stack stack = Stack.builder(repository)
          .workDir(repository.resolve("frontend-telemetry/target/stack-" + ProcessHandle.current().pid()))
          .historyOrders(200)
          .progress(line -> System.out.println("[stack] " + line))
          .jvmOptions(s -> Agents.otlp(agent, extension, repository, s, gateway.otlpHttp(), switch (s) {
            case SHOP -> List.of("-Dspring.web.resources.static-locations=classpath:/static/,file:" + web + "/");
            case MES -> List.of("-Dmes.web.dir=" + web);
            case CRM -> List.of();
          }))
          .start();
          Gateway g = gateway.env("LOUPE_FRONTEND_ORIGINS", JSON.writeValueAsString(
              List.of(origin(stack.url(Service.SHOP)), origin(stack.url(Service.MES)))))
              .env("LOUPE_FRONTEND_PAGES", "order-form|orders-page|search").start()) {
        corsAdmitsTheFrontEndsOnly(g, stack);
        URI browsers = gateway.frontendOtlpHttp();
        scriptErrorOnSubmit(dir, browsers, stack, tempo, loki, prometheus);
        usRingSizeIsRefused(dir, browsers, stack, tempo);
        retiredStatusOnTheOrdersPage(dir, browsers, stack, tempo);
        aSearchSentByGetLeavesNoTypedValue(dir, browsers, stack, tempo, loki);
        badSettingsLeaveThePageAlone(dir, web, settings, browsers, stack);
      }
    }
  }

  /** The browsers' receiver answers a preflight from a front end's origin, and no other. */
  private static void corsAdmitsTheFrontEndsOnly(Gateway gateway, Stack stack) throws Exception {
    URI traces = gateway.settings().frontendOtlpHttp().resolve("/v1/traces");
    assertThat(preflight(traces, origin(stack.url(Service.SHOP)))).as("a preflight from the shop's origin")
        .contains(origin(stack.url(Service.SHOP)));
    assertThat(preflight(traces, "http://127.0.0.1:" + Tools.freePort())).as("a preflight from another origin")
        .isEmpty();
  }

  private static void scriptErrorOnSubmit(Path dir, URI browsers, Stack stack, OtlpSink tempo, OtlpSink loki,
      Prometheus prometheus)
      throws Exception {
    stack.fault(Fault.SHOP_FORM_SCRIPT_ERROR, true);
    Path model = dir.resolve(MODEL_FILE);
    Files.write(model, dev.loupe.sample.loadgen.RingModel.band(17.5, 1.8, 4));
    JsonNode session = browse(dir, Map.of("scenario", "order", "page", stack.url(Service.SHOP).resolve("/order.html").toString(),
        "form", FORM, "model", model.toString()), browsers);
    stack.fault(Fault.SHOP_FORM_SCRIPT_ERROR, false);

    String orderId = session.path("orderId").asText(null);
    assertThat(orderId).as("the order id the page put in its URL once the order was placed").matches("JW-\\d+");
    assertThat(session.path("outcome").isNull()).as("no confirmation shown: the script threw first").isTrue();
    assertThat(session.get("pageErrors").toString()).as("the errors the browser saw").contains("TypeError");
    // the values did go to the API: the shop stored them
    assertThat(storedCustomerName(stack, orderId)).isEqualTo(FORM.get("name"));

    // the browser's error record, with the order id, through the Collector to Loki's stand-in
    OtlpSink.LogRecord error = Eventually.await("the browser's error record for " + orderId, Duration.ofSeconds(60),
        () -> loki.logs().stream().filter(l -> "shop-web".equals(l.service()))
            .filter(l -> orderId.equals(l.attributes().get("order.id"))).findFirst());
    assertThat(error.attributes()).containsEntry("exception.type", "TypeError").containsEntry("app.screen.name", "order-form");
    assertThat(error.body()).startsWith("unhandled rejection: TypeError");
    assertThat(error.traceId()).as("the record is in its error span's context").isNotBlank();

    // the fetch span of the submit, and the shop's server span as its child
    OtlpSink.Span fetch = Eventually.await("the browser's POST /api/orders span", Duration.ofSeconds(60),
        () -> tempo.spans().stream().filter(s -> "shop-web".equals(s.service()) && "POST".equals(s.name()))
            .filter(s -> s.attributes().getOrDefault("url.full", "").endsWith("/api/orders")).findFirst());
    assertThat(fetch.attributes()).containsEntry("http.response.status_code", "201").containsEntry("app.screen.name", "order-form");
    OtlpSink.Span server = Eventually.await("shop-api's server span under the browser's fetch span", Duration.ofSeconds(60),
        () -> tempo.spans().stream().filter(s -> "shop-api".equals(s.service()) && fetch.spanId().equals(s.parentSpanId()))
            .findFirst());
    assertThat(server.traceId()).isEqualTo(fetch.traceId());
    assertThat(server.attributes()).containsEntry("http.route", "/api/orders");
    OtlpSink.Span errorSpan = Eventually.await("the error span", Duration.ofSeconds(60),
        () -> tempo.spans().stream().filter(s -> s.traceId().equals(error.traceId())).findFirst());
    assertThat(errorSpan.status()).isEqualTo("STATUS_CODE_ERROR");
    assertThat(errorSpan.name()).isEqualTo("unhandled rejection");

    // not one of the form's values in anything the browser sent, nor in anything the Collector sent on
    List<byte[]> sent = new ArrayList<>();
    for (JsonNode export : session.get("exports")) {
      assertThat(export.get("status").asInt()).as("the Collector took " + export.get("url").asText()).isEqualTo(200);
      sent.add(Base64.getDecoder().decode(export.get("body").asText()));
    }
    String browserBytes = text(sent);
    // the text is searched in lower case
    String order = orderId.toLowerCase(Locale.ROOT);
    assertThat(browserBytes).as("the browser's exports name the order (the search reads them)").contains(order)
        .contains("typeerror");
    System.out.printf("The browser sent %d exports (%d bytes) to the Collector%n", sent.size(), browserBytes.length());
    // the span metrics count the error by page, with the labels FrontendErrors reads (flushed every 15 s),
    // and its recording rule sees it: the remote write starts a new series with a 0 at its start time, so
    // even a page's first error is an increase
    String counted = "traces_span_metrics_calls_total{service=\"shop-web\", app_screen_name=\"order-form\", "
        + "span_name=\"unhandled rejection\", status_code=\"STATUS_CODE_ERROR\"}";
    Eventually.await("the order form's one error counted in Prometheus: " + counted, Duration.ofSeconds(90),
        () -> prometheus.sum(counted).orElse(0) == 1.0 ? Optional.of(true) : Optional.empty());
    String recorded = "service_page:browser_errors:increase15m{service=\"shop-web\", app_screen_name=\"order-form\"}";
    double increase = Eventually.await("FrontendErrors' recording rule over it: " + recorded, Duration.ofSeconds(60),
        () -> prometheus.sum(recorded).isPresent() ? Optional.of(prometheus.sum(recorded).getAsDouble()) : Optional.empty());
    System.out.printf("%s = %s%n", recorded, increase);
    assertThat(increase).as(recorded).isGreaterThan(0.5);
    // the page load, FrontendErrors' denominator
    Eventually.await("the order form's documentLoad span", Duration.ofSeconds(60),
        () -> tempo.spans().stream().filter(s -> "shop-web".equals(s.service()) && "documentLoad".equals(s.name()))
            .filter(s -> "order-form".equals(s.attributes().get("app.screen.name"))).findFirst());
    String loads = "service_page:browser_page_loads:increase15m{service=\"shop-web\", app_screen_name=\"order-form\"}";
    Eventually.await("FrontendErrors' page loads: " + loads, Duration.ofSeconds(60),
        () -> prometheus.sum(loads).orElse(0) > 0.5 ? Optional.of(true) : Optional.empty());

    List<byte[]> forwarded = new ArrayList<>(tempo.raw());
    forwarded.addAll(loki.raw());
    forwarded.add(labelValues(prometheus).getBytes(StandardCharsets.UTF_8));
    String collectorBytes = text(forwarded);
    assertThat(collectorBytes).as("what the Collector sent on names the order").contains(order);
    // One exception, the services' and not the browser's: the legacy shop keeps the uploaded file's name
    // in the model's S3 key, so the agent's spans of the S3 calls on that key (the shop's upload, MES's
    // download) carry it in url.full. Nothing else may carry it.
    String s3Key = ("/" + orderId + "/" + MODEL_FILE).toLowerCase(Locale.ROOT);
    assertThat(tempo.spans().stream().filter(span -> span.attributes().values().stream()
        .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("quillfeather"))))
        .as("the spans naming the model's file").isNotEmpty()
        .allMatch(span -> span.name().startsWith("S3.")
            && span.attributes().getOrDefault("url.full", "").toLowerCase(Locale.ROOT).contains(s3Key));
    collectorBytes = collectorBytes.replace(s3Key, "/" + order + "/(the shop's s3 key)");
    for (String needle : NEEDLES) {
      assertThat(browserBytes).as("a form value in the browser's exports").doesNotContain(needle);
      assertThat(collectorBytes).as("a form value in what the Collector sent on").doesNotContain(needle);
    }
  }

  /** The order form sends the ring size in a format the shop refuses: the page's call fails, traced into the API. */
  private static void usRingSizeIsRefused(Path dir, URI browsers, Stack stack, OtlpSink tempo) throws Exception {
    stack.fault(Fault.SHOP_FORM_US_RING_SIZE, true);
    Path model = dir.resolve("ring.stl");
    Files.write(model, dev.loupe.sample.loadgen.RingModel.band(17.5, 1.8, 4));
    JsonNode session = browse(dir, Map.of("scenario", "order", "page", stack.url(Service.SHOP).resolve("/order.html").toString(),
        "form", Map.of("name", "A Customer", "email", "customer@example.org", "ring-size", "17.5"),
        "model", model.toString()), browsers);
    stack.fault(Fault.SHOP_FORM_US_RING_SIZE, false);
    assertThat(session.path("outcome").asText()).isEqualTo("refused");
    assertThat(session.path("message").asText()).contains("ringSize must be an EU size");
    OtlpSink.Span fetch = Eventually.await("the order form's refused POST /api/orders", Duration.ofSeconds(60),
        () -> tempo.spans().stream().filter(s -> "shop-web".equals(s.service()) && "POST".equals(s.name()))
            .filter(s -> "400".equals(s.attributes().get("http.response.status_code"))).findFirst());
    assertThat(fetch.status()).isEqualTo("STATUS_CODE_ERROR");
    assertThat(fetch.attributes()).containsEntry("app.screen.name", "order-form");
    OtlpSink.Span server = Eventually.await("shop-api's server span under the refused call", Duration.ofSeconds(60),
        () -> tempo.spans().stream().filter(s -> "shop-api".equals(s.service()) && fetch.spanId().equals(s.parentSpanId()))
            .findFirst());
    assertThat(server.attributes()).containsEntry("http.response.status_code", "400");
  }

  /** The orders page asks for a status MES no longer has: its failed call is an error span of the page. */
  private static void retiredStatusOnTheOrdersPage(Path dir, URI browsers, Stack stack, OtlpSink tempo) throws Exception {
    stack.fault(Fault.MES_PAGE_RETIRED_STATUS, true);
    JsonNode session = browse(dir, Map.of("scenario", "orders-page",
        "page", stack.url(Service.MES).resolve("/orders.html").toString()), browsers);
    stack.fault(Fault.MES_PAGE_RETIRED_STATUS, false);
    assertThat(session.path("outcome").asText()).isEqualTo("refused");
    OtlpSink.Span fetch = Eventually.await("the orders page's failed GET /api/orders", Duration.ofSeconds(60),
        () -> tempo.spans().stream().filter(s -> "mes-web".equals(s.service()) && "GET".equals(s.name()))
            .filter(s -> s.attributes().getOrDefault("url.full", "").contains("status=QUOTED")).findFirst());
    assertThat(fetch.status()).isEqualTo("STATUS_CODE_ERROR");
    assertThat(fetch.attributes()).containsEntry("http.response.status_code", "400")
        .containsEntry("app.screen.name", "orders-page");
    Eventually.await("mes-api's server span under the page's fetch span", Duration.ofSeconds(60),
        () -> tempo.spans().stream().filter(s -> "mes-api".equals(s.service()) && fetch.spanId().equals(s.parentSpanId()))
            .findFirst());
  }

  /**
   * A search sent by GET puts what the user typed in the page's URL and in its XMLHttpRequest's: the
   * exported URLs keep only the order id, the XHR span continues into the API, and the page's uncaught
   * error is a record with the order id whose message names the page's URL without the typed value.
   */
  private static void aSearchSentByGetLeavesNoTypedValue(Path dir, URI browsers, Stack stack, OtlpSink tempo,
      OtlpSink loki) throws Exception {
    String orderId = "JW-424242";
    URI page = stack.url(Service.SHOP).resolve("/search.html?orderId=" + orderId);
    JsonNode session = browse(dir, Map.of("scenario", "search", "page", page.toString(),
        "form", Map.of("customer", SEARCHED)), browsers);
    assertThat(session.path("outcome").asText()).isEqualTo("searched");
    assertThat(session.get("pageErrors").toString()).as("the errors the browser saw").contains("no result view for");
    assertThat(session.get("apiRequests").toString()).as("the typed value did go to the API")
        .contains("customer=Quentavius");

    OtlpSink.Span xhr = Eventually.await("the search page's XHR GET /api/items", Duration.ofSeconds(60),
        () -> tempo.spans().stream().filter(s -> "shop-web".equals(s.service()) && "GET".equals(s.name()))
            .filter(s -> urlOf(s).contains("/api/items") && "search".equals(s.attributes().get("app.screen.name")))
            .findFirst());
    assertThat(urlOf(xhr)).endsWith("/api/items?orderId=" + orderId);
    assertThat(xhr.attributes()).containsEntry("app.screen.name", "search").containsEntry("order.id", orderId);
    Eventually.await("shop-api's server span under the page's XHR span", Duration.ofSeconds(60),
        () -> tempo.spans().stream().filter(s -> "shop-api".equals(s.service()) && xhr.spanId().equals(s.parentSpanId()))
            .findFirst());
    Eventually.await("the searched page's load", Duration.ofSeconds(60),
        () -> tempo.spans().stream().filter(s -> "shop-web".equals(s.service()) && "documentFetch".equals(s.name()))
            .filter(s -> urlOf(s).endsWith("/search.html?orderId=" + orderId)).findFirst());

    OtlpSink.LogRecord error = Eventually.await("the search page's uncaught error", Duration.ofSeconds(60),
        () -> loki.logs().stream().filter(l -> "shop-web".equals(l.service()))
            .filter(l -> orderId.equals(l.attributes().get("order.id"))).findFirst());
    assertThat(error.body()).startsWith("uncaught error: Error");
    assertThat(error.attributes()).containsEntry("app.screen.name", "search")
        .containsEntry("exception.message", "no result view for " + page);

    String needle = SEARCHED.toLowerCase(Locale.ROOT).split(" ")[1];
    List<byte[]> sent = new ArrayList<>();
    for (JsonNode export : session.get("exports")) {
      assertThat(export.get("status").asInt()).as("the Collector took " + export.get("url").asText()).isEqualTo(200);
      sent.add(Base64.getDecoder().decode(export.get("body").asText()));
    }
    String browserBytes = text(sent);
    assertThat(browserBytes).as("the browser's exports name the order").contains(orderId.toLowerCase(Locale.ROOT));
    assertThat(browserBytes).as("the typed value in the browser's exports").doesNotContain(needle);
    assertThat(text(new ArrayList<>(loki.raw()))).as("the typed value in what reached Loki").doesNotContain(needle);
    // the API received the value in its query, and its agent records the server's own view of the call
    // (url.query): that is the service's telemetry, not the browser's; no browser span carries it
    assertThat(tempo.spans().stream().filter(span -> span.attributes().values().stream()
        .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains(needle))))
        .as("the spans naming the typed value").allMatch(span -> "shop-api".equals(span.service()));
  }

  /**
   * A telemetry.json of the wrong shape leaves the script off with one warning; the page works and sees
   * no error of the script's.
   */
  private static void badSettingsLeaveThePageAlone(Path dir, Path web, String goodSettings, URI browsers, Stack stack)
      throws Exception {
    Files.writeString(web.resolve("loupe/telemetry.json"),
        JSON.writeValueAsString(Map.of("collectorUrl", 4319, "apiOrigins", "https://shop-api.example")));
    try {
      JsonNode session = browse(dir, Map.of("scenario", "orders-page",
          "page", stack.url(Service.MES).resolve("/orders.html").toString()), browsers);
      assertThat(session.path("outcome").asText()).as("the page works").isEqualTo("shown");
      assertThat(session.get("pageErrors")).as("the errors the browser saw").isEmpty();
      assertThat(session.get("warnings").toString()).as("the one warning")
          .contains("Loupe telemetry is off: collectorUrl is not an http(s) URL");
      assertThat(session.get("exports")).as("nothing sent").isEmpty();
    } finally {
      Files.writeString(web.resolve("loupe/telemetry.json"), goodSettings);
    }
  }

  /** A span's URL: url.full, or the older http.url some instrumentations still set. */
  private static String urlOf(OtlpSink.Span span) {
    return span.attributes().getOrDefault("url.full", span.attributes().getOrDefault("http.url", ""));
  }

  /** Prometheus with the alert rules, taking the Collector's remote writes; nothing to scrape. */
  private static String rulesOnly(Path repository) throws Exception {
    List<String> rules = new ArrayList<>();
    try (var files = Files.list(repository.resolve("alert-rules/rules"))) {
      files.filter(f -> f.toString().endsWith(".yml")).sorted().forEach(f -> rules.add(f.toString()));
    }
    return JSON.writeValueAsString(Map.of("global", Map.of("evaluation_interval", "2s"), "rule_files", rules));
  }

  /** Every label value Prometheus holds: all that the metrics brought, as text. */
  private static String labelValues(Prometheus prometheus) throws Exception {
    StringBuilder all = new StringBuilder();
    for (JsonNode label : JSON.readTree(prometheus.get("/api/v1/labels").body()).path("data")) {
      all.append(prometheus.get("/api/v1/label/" + label.asText() + "/values").body()).append('\n');
    }
    assertThat(all.toString()).as("the label values read").contains("shop-web");
    return all.toString();
  }

  /** Runs one browser session (browser-session.mjs) and returns what it reports. */
  private static JsonNode browse(Path dir, Map<String, Object> scenario, URI browsers) throws Exception {
    Map<String, Object> session = new LinkedHashMap<>(scenario);
    session.put("chromium", CHROMIUM.toString());
    session.put("collector", browsers.toString());
    Path file = Files.createTempFile(dir, "session-", ".json");
    Files.writeString(file, JSON.writeValueAsString(session));
    Path module = Tools.repository().resolve("frontend-telemetry");
    Path out = dir.resolve(file.getFileName() + ".out");
    Process node = new ProcessBuilder("node", module.resolve("src/test/js/browser-session.mjs").toString(), file.toString())
        .directory(module.toFile())
        .redirectOutput(out.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    assertThat(node.waitFor(180, TimeUnit.SECONDS)).as("the browser session ended within 180 s").isTrue();
    assertThat(node.exitValue()).as("the browser session's exit status").isZero();
    JsonNode result = JSON.readTree(Files.readString(out));
    System.out.println("Browser session " + scenario.get("page") + ": outcome " + result.path("outcome")
        + ", order " + result.path("orderId") + ", errors " + result.get("pageErrors") + ", "
        + result.get("exports").size() + " exports");
    return result;
  }

  private static String storedCustomerName(Stack stack, String orderId) throws Exception {
    try (Connection db = stack.shopDb();
        PreparedStatement select = db.prepareStatement("SELECT customer_name FROM orders WHERE id = ?")) {
      select.setString(1, orderId);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? row.getString(1) : null;
      }
    }
  }

  /** The Access-Control-Allow-Origin the receiver answers a preflight from {@code origin} with; empty if none. */
  private static String preflight(URI uri, String origin) throws Exception {
    HttpResponse<Void> answer = HTTP.send(HttpRequest.newBuilder(uri)
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .build(), HttpResponse.BodyHandlers.discarding());
    return answer.headers().firstValue("Access-Control-Allow-Origin").orElse("");
  }

  private static String origin(URI uri) {
    return uri.getScheme() + "://" + uri.getAuthority();
  }

  /** All bytes as text, lower case, as they are and URL-decoded: a value is found in either form. */
  private static String text(List<byte[]> bodies) {
    StringBuilder all = new StringBuilder();
    for (byte[] body : bodies) {
      String s = new String(body, StandardCharsets.UTF_8);
      all.append(s).append('\n');
      try {
        all.append(java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8)).append('\n');
      } catch (IllegalArgumentException notUrlEncoded) {
        // protobuf and JSON are searched as they are
      }
    }
    return all.toString().toLowerCase(Locale.ROOT);
  }

  private static Path collectorOrSkip() throws Exception {
    try {
      return LoupeCollector.binary();
    } catch (CollectorUnavailableException e) {
      Assumptions.abort("no Collector to run: " + e.getMessage());
      throw e;
    }
  }
}
