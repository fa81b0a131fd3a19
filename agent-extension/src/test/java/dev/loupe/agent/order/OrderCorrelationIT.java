package dev.loupe.agent.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.agent.harness.OtlpReceiver.ExportedLog;
import dev.loupe.agent.harness.OtlpReceiver.ExportedSpan;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The three unchanged sample apps under the real agent with the Loupe extension. MES runs on the newest
 * JDK installed beside the build's (Temurin 25 on the project's machines), the others on the build's
 * Java 17, so every test here also holds the extension on that Java.
 */
class OrderCorrelationIT {

  private static final Pattern ORDER_ID = Pattern.compile("JW-\\d{6}");
  private static final Duration TELEMETRY = Duration.ofSeconds(30);
  /** A bad entry beside a good one: the bad one is reported and left out, the good one works. */
  private static final String BAD_TEMPLATES = "-Dloupe.order-id.path-templates=/api/orders/{orderId,/api/orders/{orderId}";

  private static final Optional<Path> NEWER_JDK = AgentStack.newerJdk();

  private static OtlpReceiver receiver;
  private static Stack stack;

  @BeforeAll
  static void start() throws Exception {
    receiver = new OtlpReceiver();
    stack = AgentStack.start("with-extension", receiver, true, Map.of(Service.SHOP, List.of(BAD_TEMPLATES)),
        NEWER_JDK.map(jdk -> Map.of(Service.MES, jdk)).orElse(Map.of()));
  }

  @AfterAll
  static void stop() {
    AgentStack.stop(stack, receiver);
  }

  @Test
  void oneOrderIsOnSpansOfAllThreeServicesAndOnTheCrmAndMesLogs() throws Exception {
    PipelineClient client = stack.client();
    String id = client.placeOrder(OrderRequest.typical()).orderId();
    awaitPriced(client, id);

    Eventually.await("the order's spans in every service", TELEMETRY, () -> {
      List<ExportedSpan> mine = receiver.spans().stream().filter(s -> id.equals(s.orderId())).toList();
      boolean complete = has(mine, "crm-api", s -> s.name().equals("SellerDesk.register"))
          && has(mine, "crm-api", s -> s.kind().equals("SPAN_KIND_PRODUCER"))
          && has(mine, "mes-api", s -> s.kind().equals("SPAN_KIND_CONSUMER"))
          && has(mine, "mes-api", OrderCorrelationIT::isInsert)
          && has(mine, "mes-api", s -> s.name().equals("PriceCalculator.calculate"))
          && has(mine, "shop-api", s -> s.kind().equals("SPAN_KIND_SERVER"));
      return complete ? Optional.of(mine) : Optional.empty();
    });

    for (String service : List.of("crm-api", "mes-api")) {
      ExportedLog log = Eventually.await(service + " log records of the order", TELEMETRY, () -> receiver.logs().stream()
          .filter(l -> l.service().equals(service) && id.equals(l.orderId()) && l.body().contains(id)).findFirst());
      assertThat(log.traceId()).isNotBlank().isNotEqualTo("0".repeat(32));
      String json = Files.readAllLines(stack.log(service.equals("crm-api") ? Service.CRM : Service.MES)).stream()
          .filter(line -> line.contains("\"order_id\":\"" + id + "\"")).findFirst().orElseThrow(
              () -> new AssertionError(service + " has no JSON log line with order_id " + id));
      assertThat(json).containsPattern("\"trace_id\":\"[0-9a-f]{32}\"").contains("\"span_id\":");
    }
  }

  @Test
  void concurrentOrdersNeverCarryEachOthersIds() throws Exception {
    PipelineClient client = stack.client();
    ExecutorService customers = Executors.newFixedThreadPool(6);
    List<Future<String>> placed = new ArrayList<>();
    for (int i = 0; i < 18; i++) {
      placed.add(customers.submit(() -> client.placeOrder(OrderRequest.typical()).orderId()));
    }
    List<String> ids = new ArrayList<>();
    for (Future<String> f : placed) {
      ids.add(f.get());
    }
    customers.shutdown();
    for (String id : ids) {
      awaitPriced(client, id);
    }
    Eventually.await("every order's calculation span", TELEMETRY, () -> {
      Set<String> calculated = receiver.spans().stream().filter(s -> s.name().equals("PriceCalculator.calculate"))
          .map(ExportedSpan::orderId).collect(Collectors.toSet());
      return calculated.containsAll(ids) ? Optional.of(true) : Optional.empty();
    });
    Thread.sleep(1500); // the last batches of spans and logs

    List<String> wrong = new ArrayList<>();
    int checked = 0;
    for (ExportedSpan span : receiver.spans()) {
      for (String mentioned : mentioned(span.attributes().values())) {
        checked++;
        if (!mentioned.equals(span.orderId())) {
          wrong.add(span.service() + " span '" + span.name() + "' mentions " + mentioned + " but has order.id "
              + span.orderId() + " " + span.attributes());
        }
      }
    }
    for (ExportedLog log : receiver.logs()) {
      for (String mentioned : mentioned(List.of(log.body()))) {
        checked++;
        if (!mentioned.equals(log.orderId())) {
          wrong.add(log.service() + " log '" + log.body() + "' has order.id " + log.orderId());
        }
      }
    }
    assertThat(wrong).isEmpty();
    // S3 keys, request paths and log lines name the orders: several per order were checked
    assertThat(checked).isGreaterThan(ids.size() * 5);
    for (String id : ids) {
      Set<String> services = receiver.spans().stream().filter(s -> id.equals(s.orderId()))
          .map(ExportedSpan::service).collect(Collectors.toSet());
      assertThat(services).as("services with spans of " + id).containsExactlyInAnyOrder("shop-api", "crm-api", "mes-api");
    }
  }

  @Test
  void aBadSettingIsReportedByNameAndTheServiceAndTheAgentKeepWorking() throws Exception {
    String log = Files.readString(stack.log(Service.SHOP));
    assertThat(log).contains("Loupe: invalid setting loupe.order-id.path-templates: '/api/orders/{orderId'")
        .containsPattern("Loupe agent extension \\d+\\.\\d+\\.\\d+\\S* active; order correlation: enabled=true");
    PipelineClient client = stack.client();
    String id = client.placeOrder(OrderRequest.typical()).orderId();
    awaitPriced(client, id);
    // the good template of the same setting still works: the customer's status lookups carry the id
    Eventually.await("a shop server span of the status lookup with the order id", TELEMETRY, () -> receiver.spans()
        .stream().filter(s -> s.service().equals("shop-api") && s.kind().equals("SPAN_KIND_SERVER")
            && ("/api/orders/" + id).equals(s.attributes().get("url.path")) && id.equals(s.orderId())).findFirst());
  }

  @Test
  void mesOnTheNewestJdkPutsTheOrderIdOnItsSpans() throws Exception {
    assumeTrue(NEWER_JDK.isPresent(), "no JDK newer than Java " + Runtime.version().feature() + " under /usr/lib/jvm"
        + " (nor -Dloupe.newer-jdk): MES ran on the build's Java, and the extension on a newer one is not shown here");
    int feature = AgentStack.feature(NEWER_JDK.get());
    PipelineClient client = stack.client();
    String id = client.placeOrder(OrderRequest.typical()).orderId();
    awaitPriced(client, id);

    Eventually.await("mes-api spans of order " + id + " from the consumer and the calculation", TELEMETRY, () -> {
      List<ExportedSpan> mine = receiver.spans().stream().filter(s -> id.equals(s.orderId())).toList();
      return has(mine, "mes-api", s -> s.kind().equals("SPAN_KIND_CONSUMER"))
          && has(mine, "mes-api", s -> s.name().equals("PriceCalculator.calculate")) ? Optional.of(mine) : Optional.empty();
    });
    // the agent's own account of the JVM it ran in
    assertThat(receiver.resource("mes-api").get("process.runtime.version")).startsWith(feature + ".");
    assertThat(receiver.resource("crm-api").get("process.runtime.version"))
        .startsWith(Runtime.version().feature() + ".");
  }

  @Test
  void crmRequestsAreTracedByTheAgentsJavaxServletAndSpring5Instrumentation() throws Exception {
    PipelineClient client = stack.client();
    String id = client.placeOrder(OrderRequest.typical()).orderId();
    awaitPriced(client, id);
    HttpResponse<byte[]> model = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        stack.url(Service.CRM).resolve("/api/orders/" + id + "/model")).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(model.statusCode()).isEqualTo(200);

    ExportedSpan server = Eventually.await("the CRM server span of the model download", TELEMETRY, () -> receiver.spans()
        .stream().filter(s -> s.service().equals("crm-api") && s.kind().equals("SPAN_KIND_SERVER")
            && ("/api/orders/" + id + "/model").equals(s.attributes().get("url.path"))).findFirst());
    // Tomcat 9 (javax) is instrumented by the agent's tomcat-7.0 module, Tomcat 10 (jakarta, the shop) by tomcat-10.0
    assertThat(server.scope()).isEqualTo("io.opentelemetry.tomcat-7.0");
    // the route comes from the agent's Spring Web MVC instrumentation of the javax DispatcherServlet
    assertThat(server.attributes()).containsEntry("http.route", "/api/orders/{orderId}/model");
    assertThat(server.name()).isEqualTo("GET /api/orders/{orderId}/model");
    assertThat(server.orderId()).isEqualTo(id);
    assertThat(receiver.spans()).filteredOn(s -> s.service().equals("shop-api") && s.kind().equals("SPAN_KIND_SERVER"))
        .extracting(ExportedSpan::scope).contains("io.opentelemetry.tomcat-10.0").doesNotContain("io.opentelemetry.tomcat-7.0");
  }

  private static void awaitPriced(PipelineClient client, String id) throws Exception {
    Eventually.await("order " + id + " to be priced", Duration.ofSeconds(60), () -> client.shopOrder(id)
        .filter(o -> o.path("status").asText().equals("PRICED")));
  }

  private static boolean has(List<ExportedSpan> spans, String service, java.util.function.Predicate<ExportedSpan> p) {
    return spans.stream().anyMatch(s -> s.service().equals(service) && p.test(s));
  }

  private static boolean isInsert(ExportedSpan span) {
    String statement = span.attributes().getOrDefault("db.query.text", span.attributes().getOrDefault("db.statement", ""));
    return statement.startsWith("INSERT INTO orders");
  }

  private static Set<String> mentioned(Iterable<String> values) {
    Set<String> out = new java.util.HashSet<>();
    for (String v : values) {
      Matcher m = ORDER_ID.matcher(v);
      while (m.find()) {
        out.add(m.group());
      }
    }
    return out;
  }
}
