package dev.loupe.agent.loss;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.agent.harness.OtlpReceiver.ExportedPoint;
import dev.loupe.agent.harness.OtlpReceiver.ExportedSpan;
import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Stack;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import dev.loupe.sample.loadgen.LoadGenerator;
import java.io.PrintStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Each sample-app fault that loses an order, switched on under the real agent and the extension: the
 * loss metric grows with the right reason, and the span with that order's id carries the reason.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LossSentinelsIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static OtlpReceiver receiver;
  private static Stack stack;

  @BeforeAll
  static void start() throws Exception {
    receiver = new OtlpReceiver();
    stack = AgentStack.start("losses", receiver, true, Map.of());
  }

  @AfterAll
  static void stop() {
    AgentStack.stop(stack, receiver);
  }

  @AfterEach
  void faultsOff() {
    stack.resetFaults();
  }

  @Test
  @Order(1)
  void aHealthyRunOfAHundredOrdersReportsNoLossAndNothingOverdueAndFillsTheFunnel() throws Exception {
    LoadGenerator.Summary summary = new LoadGenerator(stack.client(),
        new LoadGenerator.Settings(10, Duration.ofSeconds(10), Duration.ofSeconds(90), false, 0, false),
        new PrintStream(OutputStream.nullOutputStream())).run();
    assertThat(summary.placed()).isGreaterThanOrEqualTo(100);
    assertThat(summary.completed()).isEqualTo(summary.placed());
    for (String stage : List.of("shop_accepted", "crm_confirmed", "mes_received", "mes_priced")) {
      Eventually.await("every order through " + stage, WAIT, () -> {
        double through = total("loupe.order.stage", p -> stage.equals(p.attributes().get("stage"))
            && "success".equals(p.attributes().get("outcome")));
        return through >= summary.placed() ? Optional.of(through) : Optional.empty();
      });
    }
    Thread.sleep(2500); // let the last spans, logs and metrics arrive
    assertThat(receiver.spans()).noneMatch(s -> s.attributes().containsKey("loupe.loss.reason"));
    assertThat(receiver.logs()).noneMatch(l -> l.attributes().containsKey("loupe.loss.reason"));
    assertThat(total("loupe.messages.lost", p -> true)).isZero();
    assertThat(total("loupe.exceptions.swallowed", p -> true)).isZero();
    assertThat(total("loupe.order.stage", p -> "failure".equals(p.attributes().get("outcome")))).isZero();
    assertThat(total("loupe.operation.overdue", p -> true)).isZero();
    assertThat(receiver.points()).filteredOn(p -> p.metric().equals("loupe.operation.oldest_inflight_age"))
        .isNotEmpty().allSatisfy(p -> assertThat(p.value()).isLessThan(45 * 60));
  }

  @Test
  @Order(2)
  void aSwallowedSaveIsALossOnTheRequestThatAnswered201() throws Exception {
    PipelineClient client = stack.client();
    double before = total("loupe.exceptions.swallowed", p -> "/api/orders".equals(p.attributes().get("http.route")));
    stack.fault(Fault.SHOP_SAVE_SWALLOWED, true);
    PipelineClient.Placement placement = client.placeOrder(OrderRequest.typical());
    assertThat(placement.status()).isEqualTo(201);
    String id = placement.orderId();

    ExportedSpan span = awaitLossSpan("shop-api", id, "swallowed_exception");
    assertThat(span.kind()).isEqualTo("SPAN_KIND_SERVER");
    awaitLossLog(id, "swallowed_exception");
    Eventually.await("loupe.exceptions.swallowed to grow", WAIT, () -> {
      double now = total("loupe.exceptions.swallowed", p -> "/api/orders".equals(p.attributes().get("http.route"))
          && p.attributes().get("exception.type").endsWith("BadSqlGrammarException"));
      return now >= before + 1 ? Optional.of(now) : Optional.empty();
    });
    awaitFailure("shop_accepted");
  }

  @Test
  void aCrashedCalculationIsALossOnItsWatchedOperation() throws Exception {
    PipelineClient client = stack.client();
    stack.fault(Fault.MES_CALCULATION_CRASH, true);
    String id = client.placeOrder(OrderRequest.typical()).orderId();

    ExportedSpan span = awaitLossSpan("mes-api", id, "swallowed_exception");
    assertThat(span.name()).isEqualTo("PriceCalculator.calculate");
    awaitLossLog(id, "swallowed_exception");
    Eventually.await("loupe.exceptions.swallowed for the price calculation", WAIT, () -> {
      double now = total("loupe.exceptions.swallowed", p -> "price_calculation".equals(p.attributes().get("http.route"))
          && "java.lang.IllegalStateException".equals(p.attributes().get("exception.type")));
      return now >= 1 ? Optional.of(now) : Optional.empty();
    });
    awaitFailure("mes_priced");
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void noMetricDataPointOfTheRunCarriesAnOrderIdOrAnyUnboundedValue() {
    List<ExportedPoint> points = receiver.points();
    assertThat(points).hasSizeGreaterThan(100);
    Map<String, Set<String>> valuesByKey = new HashMap<>();
    for (ExportedPoint p : points) {
      p.attributes().forEach((key, value) -> {
        assertThat(value).as(p.metric() + " " + key).doesNotContainPattern("JW-\\d+").doesNotContain("@")
            .doesNotContainPattern("/api/orders/[^{]").hasSizeLessThan(120);
        valuesByKey.computeIfAbsent(p.metric() + " " + key, k -> new HashSet<>()).add(value);
      });
    }
    // the run placed well over a hundred orders: no attribute may grow with them
    valuesByKey.forEach((key, values) -> assertThat(values).as(key).hasSizeLessThan(40));
  }

  @Test
  void anUnroutableConfirmedOrderIsReturnedToTheAgentAndReported() throws Exception {
    String id = loseOrderTo(Fault.CRM_UNROUTABLE);
    ExportedSpan span = awaitLossSpan("crm-api", id, "unroutable");
    assertThat(span.name()).isEqualTo("jewelry.orders returned");
    awaitLossLog(id, "unroutable");
    awaitLost("jewelry.orders", "unroutable");
  }

  @Test
  void aMessageMesRejectsWithoutRequeueIsReported() throws Exception {
    String id = loseOrderTo(Fault.MES_CONSUMER_REJECT);
    // a span of the loss in the order's trace, named for the queue MES consumes (it has no dead-letter exchange)
    ExportedSpan reject = awaitLossSpan("mes-api", id, "rejected");
    assertThat(reject.name()).isEqualTo("mes.order-intake rejected");
    assertThat(reject.attributes()).containsEntry("loupe.loss.destination", "mes.order-intake");
    awaitLossLog(id, "rejected");
    awaitLost("mes.order-intake", "rejected");
  }

  @Test
  void aMalformedMessageMesCannotReadIsReportedWithItsOrder() throws Exception {
    String id = loseOrderTo(Fault.CRM_MALFORMED_PAYLOAD);
    awaitLossSpan("mes-api", id, "rejected");
  }

  @Test
  void aConsumerThatThrowsAfterTheAckIsReported() throws Exception {
    String id = loseOrderTo(Fault.MES_CONSUMER_CRASH);
    assertThat(awaitLossSpan("mes-api", id, "consumer_failed").kind()).isEqualTo("SPAN_KIND_CONSUMER");
    awaitLossLog(id, "consumer_failed");
    awaitLost("mes.order-intake", "consumer_failed");
  }

  private static void awaitFailure(String stage) throws Exception {
    Eventually.await("a failure at stage " + stage, WAIT, () -> {
      double failed = total("loupe.order.stage", p -> stage.equals(p.attributes().get("stage"))
          && "failure".equals(p.attributes().get("outcome")));
      return failed >= 1 ? Optional.of(failed) : Optional.empty();
    });
  }

  private static String loseOrderTo(Fault fault) throws Exception {
    stack.fault(fault, true);
    PipelineClient.Placement placement = stack.client().placeOrder(OrderRequest.typical());
    assertThat(placement.status()).isEqualTo(201);
    return placement.orderId();
  }

  private static void awaitLost(String destination, String reason) throws Exception {
    Eventually.await("loupe.messages.lost{" + destination + ", " + reason + "} to count", WAIT, () -> {
      double lost = total("loupe.messages.lost", p -> destination.equals(p.attributes().get("messaging.destination.name"))
          && reason.equals(p.attributes().get("reason")));
      return lost >= 1 ? Optional.of(lost) : Optional.empty();
    });
  }

  static ExportedSpan awaitLossSpan(String service, String orderId, String reason) throws Exception {
    return Eventually.await(service + " span of " + orderId + " with loupe.loss.reason=" + reason, WAIT,
        () -> receiver.spans().stream().filter(s -> s.service().equals(service) && orderId.equals(s.orderId())
            && reason.equals(s.attributes().get("loupe.loss.reason"))).findFirst());
  }

  static void awaitLossLog(String orderId, String reason) throws Exception {
    Eventually.await("the WARN log record of " + orderId + "'s loss", WAIT, () -> receiver.logs().stream()
        .filter(l -> orderId.equals(l.orderId()) && reason.equals(l.attributes().get("loupe.loss.reason"))
            && l.body().contains("Order " + orderId + " may be lost")).findFirst());
  }

  /** The latest cumulative value of a counter, summed over the series that {@code which} selects. */
  static double total(String metric, Predicate<ExportedPoint> which) {
    Map<Map<String, String>, Double> latest = new java.util.HashMap<>();
    for (ExportedPoint p : receiver.points()) {
      if (p.metric().equals(metric) && which.test(p)) {
        latest.put(p.attributes(), p.value());
      }
    }
    return latest.values().stream().mapToDouble(Double::doubleValue).sum();
  }
}
