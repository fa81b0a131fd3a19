package dev.loupe.agent.loss;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.agent.harness.OtlpReceiver.ExportedLog;
import dev.loupe.agent.harness.OtlpReceiver.ExportedPoint;
import dev.loupe.agent.harness.OtlpReceiver.ExportedSpan;
import dev.loupe.agent.loss.legacy.LegacyOrders;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Rabbit;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kind of message loss, and every kind of message that only looks lost, on a real broker: a
 * small legacy service on plain amqp-client ({@link LegacyOrders}) runs under the real agent and the
 * built extension, with settings written as the extension's README says, against a private RabbitMQ
 * node. Each test holds what Loupe exported to what the broker did: the right reason, the right order
 * (each one, when one command settles several), the right count, and nothing for a message the broker
 * still has.
 */
class RabbitLossKindsIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SERVICE = "legacy-orders";
  private static Rabbit rabbit;
  private static OtlpReceiver receiver;
  private static String output;

  @BeforeAll
  static void runTheLegacyService() throws Exception {
    Path work = AgentStack.repository().resolve("agent-extension/target/loss-kinds-" + ProcessHandle.current().pid());
    Files.createDirectories(work);
    rabbit = Rabbit.startPrivate(work.resolve("rabbitmq"));
    rabbit.policy("legacy-dead-letter", "^legacy\\.policy-intake$", "{\"dead-letter-exchange\":\"legacy.dlx\"}");
    receiver = new OtlpReceiver();
    Path settings = work.resolve("legacy-orders.properties");
    Files.writeString(settings, String.join("\n",
        "otel.service.name=" + SERVICE,
        "# the one method that knows the order: publish(channel, orderId, ...)",
        "loupe.order-id.methods=dev.loupe.agent.loss.legacy.LegacyOrders#publish:arg1",
        "# the broker's policy legacy-dead-letter gives these queues a dead-letter exchange",
        "loupe.messaging.dead-letter-queues=legacy.policy-*",
        ""));
    Path log = work.resolve("legacy-orders.log");
    Process process = new ProcessBuilder(AgentStack.legacyService(receiver.endpoint(),
        List.of(classpath(LegacyOrders.class, com.rabbitmq.client.Channel.class, org.slf4j.LoggerFactory.class)),
        List.of("-Dotel.javaagent.configuration-file=" + settings,
            "-Dotel.traces.exporter=otlp", "-Dotel.logs.exporter=otlp", "-Dotel.metrics.exporter=otlp",
            "-Dotel.metric.export.interval=1000"),
        LegacyOrders.class.getName(), Integer.toString(rabbit.port())))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean ended = process.waitFor(240, TimeUnit.SECONDS);
    if (!ended) {
      process.destroyForcibly();
    }
    output = Files.readString(log);
    assertThat(ended).as("the legacy service ended; its output is in " + log).isTrue();
    assertThat(output).as(log.toString()).contains("ALL DONE");
    assertThat(process.exitValue()).isZero();
    // the agent exports what is left as the JVM ends; the last metric export carries the final counts
    Eventually.await("the last metrics of the run", WAIT, () -> Optional.of(receiver.points()).filter(p -> !p.isEmpty()));
  }

  @AfterAll
  static void stop() {
    if (receiver != null) {
      receiver.close();
    }
    if (rabbit != null) {
      rabbit.close();
    }
  }

  // --- what the broker keeps is not lost --------------------------------------------------------

  @Test
  void aMessageRejectedFromAQueueWithADeadLetterExchangeIsDeadLetteredNotLost() throws Exception {
    ExportedLog record = awaitLog("JW-910001", "dead_lettered");
    assertThat(record.body()).isEqualTo(
        "Order JW-910001 was dead-lettered at legacy.dlx-intake: parked by the broker for replay, not lost");
    assertThat(output).contains("parked 1");
    assertThat(awaitCount("loupe.messages.lost", "legacy.dlx-intake", "dead_lettered", 1)).isEqualTo(1);
    assertReportedOnlyAs("JW-910001", "dead_lettered");
    assertThat(count("loupe.messages.lost", "legacy.dlx-intake", "rejected")).isZero();
  }

  @Test
  void aQueueThatDeadLettersByBrokerPolicyIsDeadLetteredWhenTheSettingsNameIt() throws Exception {
    awaitLog("JW-920001", "dead_lettered");
    assertThat(output).contains("parked 2");
    assertThat(awaitCount("loupe.messages.lost", "legacy.policy-intake", "dead_lettered", 1)).isEqualTo(1);
    assertReportedOnlyAs("JW-920001", "dead_lettered");
  }

  @Test
  void aMessageNackedWithRequeueAndAcknowledgedWhenItComesBackIsNotLost() throws Exception {
    assertThat(output).contains("requeued JW-960001 acked");
    assertNotReported("JW-960001");
  }

  @Test
  void aManuallyAcknowledgedMessageWhoseConsumerThrowsIsRedeliveredNotLost() throws Exception {
    assertThat(output).contains("redelivered JW-970001 acked, redeliver=true");
    assertNotReported("JW-970001");
  }

  @Test
  void healthyOrdersConfirmedConsumedAndAcknowledgedTogetherAreNotReported() throws Exception {
    assertThat(output).contains("healthy left 0");
    for (int i = 1; i <= 5; i++) {
      assertNotReported("JW-900001" + i);
    }
  }

  // --- what the broker no longer has is lost, each with its order ------------------------------

  @Test
  void aMessageNackedWithoutRequeueFromAQueueWithoutDeadLetterExchangeIsLost() throws Exception {
    ExportedSpan span = awaitSpan("JW-930001", "rejected");
    assertThat(span.name()).isEqualTo("legacy.intake rejected");
    assertThat(awaitLog("JW-930001", "rejected").body()).isEqualTo("Order JW-930001 may be lost (rejected) at legacy.intake");
    assertThat(output).contains("intake left 0");
    assertThat(awaitCount("loupe.messages.lost", "legacy.intake", "rejected", 1)).isEqualTo(1);
  }

  @Test
  void threeOrdersNackedByOneCommandAreThreeLossesEachWithItsOwnOrder() throws Exception {
    List<String> orders = List.of("JW-940001", "JW-940002", "JW-940003");
    for (String order : orders) {
      ExportedSpan span = awaitSpan(order, "rejected");
      assertThat(span.attributes()).containsEntry("loupe.loss.destination", "legacy.batch");
      awaitLog(order, "rejected");
      assertReportedOnlyAs(order, "rejected");
    }
    // each loss is in its own order's trace
    assertThat(orders.stream().map(o -> lossSpans(o).get(0).traceId()).distinct()).hasSize(3);
    assertThat(output).contains("batch left 0");
    assertThat(awaitCount("loupe.messages.lost", "legacy.batch", "rejected", 3)).isEqualTo(3);
  }

  @Test
  void anAutoAckedMessageWhoseConsumerThrowsIsLost() throws Exception {
    ExportedSpan span = awaitSpan("JW-980001", "consumer_failed");
    assertThat(span.kind()).isEqualTo("SPAN_KIND_CONSUMER");
    assertThat(awaitLog("JW-980001", "consumer_failed").body())
        .isEqualTo("Order JW-980001 may be lost (consumer_failed) at legacy.autoack");
    assertThat(awaitCount("loupe.messages.lost", "legacy.autoack", "consumer_failed", 1)).isEqualTo(1);
  }

  @Test
  void aMessageAcknowledgedBeforeItsConsumerThrowsIsLost() throws Exception {
    awaitSpan("JW-990001", "consumer_failed");
    assertThat(awaitCount("loupe.messages.lost", "legacy.acked-first", "consumer_failed", 1)).isEqualTo(1);
  }

  @Test
  void aPublishToAnExchangeThatDoesNotExistIsRefusedWithItsOrderAndTheOneBeforeItIsNot() throws Exception {
    assertThat(output).contains("sink holds 1");
    assertRefused("JW-9A0001", "NOT_FOUND", 404, "legacy.nowhere");
    assertNotReported("JW-9A0000");
  }

  @Test
  void aPublishToAnInternalExchangeIsRefusedWithItsOrder() throws Exception {
    assertRefused("JW-9B0001", "ACCESS_REFUSED", 403, "legacy.internal");
  }

  @Test
  void aPublishTheBrokerRefusesWithoutNamingAnExchangeIsRefusedWithItsOrder() throws Exception {
    // published through the default exchange: named by its queue
    assertRefused("JW-9C0001", "PRECONDITION_FAILED", 406, "legacy.audited");
  }

  /**
   * Four threads publish on one shared channel, one of them to an exchange that does not exist: every
   * order that did not reach the queue is reported refused, once, and none that did.
   */
  @Test
  void publishesFromManyThreadsOnASharedChannelAreEachRefusedOrDeliveredNeverBoth() throws Exception {
    List<String> published = listAfter("shared published ");
    Set<String> held = Set.copyOf(listAfter("shared holds "));
    assertThat(published).contains("JW-9F0020").hasSizeGreaterThan(20);
    assertThat(held).doesNotContain("JW-9F0020");
    assertThat(published).containsAll(held);
    assertThat(awaitSpan("JW-9F0020", "publish_refused").name()).isEqualTo("legacy.shared-nowhere refused");
    Set<String> lost = sharedChannelLosses();
    for (String order : lost) {
      awaitSpan(order, "publish_refused");
      assertReportedOnlyAs(order, "publish_refused");
    }
    for (String order : held) {
      assertThat(lossSpans(order)).as(order + " reached the queue").isEmpty();
    }
  }

  /** The orders of the shared channel that did not reach its queue: the refused one and those after it. */
  private static Set<String> sharedChannelLosses() {
    Set<String> held = Set.copyOf(listAfter("shared holds "));
    return listAfter("shared published ").stream().filter(o -> !held.contains(o)).collect(Collectors.toSet());
  }

  /** The orders the legacy service printed after {@code prefix}, in its order. */
  private static List<String> listAfter(String prefix) {
    String line = output.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(
        () -> new AssertionError("the legacy service printed no line starting with '" + prefix + "'"));
    String rest = line.substring(prefix.length()).trim();
    return rest.isEmpty() ? List.of() : List.of(rest.split(","));
  }

  /** The broker closed the channel with {@code code}; Loupe reported the order's publish, once, at {@code destination}. */
  private static void assertRefused(String orderId, String error, int code, String destination) throws Exception {
    assertThat(output).contains("closed by the broker: " + error);
    ExportedSpan span = awaitSpan(orderId, "publish_refused");
    assertThat(span.name()).isEqualTo(destination + " refused");
    assertThat(span.attributes()).containsEntry("messaging.rabbitmq.close.reply_code", Integer.toString(code));
    assertThat(awaitLog(orderId, "publish_refused").body())
        .isEqualTo("Order " + orderId + " may be lost (publish_refused) at " + destination);
    assertReportedOnlyAs(orderId, "publish_refused");
    assertThat(awaitCount("loupe.messages.lost", destination, "publish_refused", 1)).isEqualTo(1);
  }

  @Test
  void aPublishTheBrokerNacksIsLostWithItsOrder() throws Exception {
    assertThat(output).contains("confirmed false");
    assertThat(awaitSpan("JW-9D0001", "publish_nacked").name()).isEqualTo("legacy.full nacked");
    assertThat(awaitCount("loupe.messages.lost", "legacy.full", "publish_nacked", 1)).isEqualTo(1);
  }

  @Test
  void aMandatoryPublishToAQueueThatDoesNotExistIsReturnedAndNamedByThatQueue() throws Exception {
    assertThat(output).contains("returned true");
    assertThat(awaitSpan("JW-9E0001", "unroutable").name()).isEqualTo("legacy.no-such-queue returned");
    assertThat(awaitCount("loupe.messages.lost", "legacy.no-such-queue", "unroutable", 1)).isEqualTo(1);
  }

  // --- what only the broker sees ------------------------------------------------------------------

  @Test
  void queuesThatDiscardMessagesByThemselvesAreWarnedAboutAndOnlyTheBrokerCountsTheDiscards() throws Exception {
    assertThat(output)
        .contains("Loupe: queue 'legacy.expiring' is declared with x-message-ttl=100 and no dead-letter exchange")
        .contains("Loupe: queue 'legacy.capped' is declared with x-max-length=1 and no dead-letter exchange")
        .contains("Loupe: queue 'legacy.full' is declared with x-max-length=0 and x-overflow=reject-publish")
        .doesNotContain("queue 'legacy.expiring-parked'")
        .doesNotContain("queue 'legacy.capped-parked'");
    assertThat(output).contains("expiring left 0, capped left 1");
    assertNotReported("JW-9F0001");
    assertNotReported("JW-9F0002");
    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + rabbit.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(brokerCounter(metrics, "rabbitmq_global_messages_dead_lettered_expired_total", "disabled"))
        .isGreaterThanOrEqualTo(1);
    assertThat(brokerCounter(metrics, "rabbitmq_global_messages_dead_lettered_maxlen_total", "disabled"))
        .isGreaterThanOrEqualTo(1);
  }

  // --- the records themselves ---------------------------------------------------------------------

  @Test
  void everyLossIsReportedOnceAndEachRecordCarriesTheTimeOfTheLoss() throws Exception {
    Set<String> lost = new java.util.HashSet<>(Set.of("JW-930001", "JW-940001", "JW-940002", "JW-940003", "JW-980001",
        "JW-990001", "JW-9A0001", "JW-9B0001", "JW-9C0001", "JW-9D0001", "JW-9E0001", "JW-910001", "JW-920001"));
    lost.addAll(sharedChannelLosses());
    for (String order : lost) {
      awaitLog(order, null);
    }
    List<ExportedLog> records = lossLogs(l -> true);
    assertThat(records.stream().map(ExportedLog::orderId).toList()).containsExactlyInAnyOrderElementsOf(lost);
    for (ExportedLog record : records) {
      assertThat(record.timeUnixNano()).as(record.body()).isPositive();
      assertThat(Math.abs(record.observedTimeUnixNano() - record.timeUnixNano())).as(record.body())
          .isLessThan(TimeUnit.SECONDS.toNanos(5));
    }
    for (String order : lost) {
      ExportedSpan span = lossSpans(order).get(0);
      assertThat(span.events()).filteredOn(e -> e.name().equals("loupe.loss")).singleElement()
          .satisfies(e -> assertThat(e.timeUnixNano()).isBetween(span.startTimeUnixNano(), span.endTimeUnixNano()));
    }
  }

  @Test
  void theLossMetricsNameEachQueueOnceAndNeverTheDefaultExchange() throws Exception {
    awaitCount("loupe.messages.lost", "legacy.batch", "rejected", 3);
    Set<String> destinations = receiver.points().stream()
        .filter(p -> p.service().equals(SERVICE) && p.metric().equals("loupe.messages.lost"))
        .map(p -> p.attributes().get("messaging.destination.name")).collect(Collectors.toSet());
    assertThat(destinations).containsExactlyInAnyOrder("legacy.dlx-intake", "legacy.policy-intake",
        "legacy.intake", "legacy.batch", "legacy.autoack",
        "legacy.acked-first", "legacy.nowhere", "legacy.internal", "legacy.audited", "legacy.full",
        "legacy.no-such-queue", "legacy.shared-nowhere", "legacy.shared");
  }

  // --- helpers --------------------------------------------------------------------------------------

  private static String classpath(Class<?>... classes) throws Exception {
    StringBuilder out = new StringBuilder();
    for (Class<?> c : classes) {
      if (out.length() > 0) {
        out.append(File.pathSeparator);
      }
      out.append(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
    }
    return out.toString();
  }

  private static List<ExportedSpan> lossSpans(String orderId) {
    return receiver.spans().stream().filter(s -> s.service().equals(SERVICE) && orderId.equals(s.orderId())
        && s.attributes().containsKey("loupe.loss.reason")).toList();
  }

  private static List<ExportedLog> lossLogs(Predicate<ExportedLog> which) {
    return receiver.logs().stream().filter(l -> l.service().equals(SERVICE)
        && l.attributes().containsKey("loupe.loss.reason") && which.test(l)).toList();
  }

  private static ExportedSpan awaitSpan(String orderId, String reason) throws Exception {
    return Eventually.await("a span of " + orderId + " with loupe.loss.reason=" + reason, WAIT, () -> lossSpans(orderId)
        .stream().filter(s -> reason.equals(s.attributes().get("loupe.loss.reason"))).findFirst());
  }

  private static ExportedLog awaitLog(String orderId, String reason) throws Exception {
    return Eventually.await("the log record of " + orderId + (reason == null ? "" : " (" + reason + ")"), WAIT,
        () -> lossLogs(l -> orderId.equals(l.orderId())
            && (reason == null || reason.equals(l.attributes().get("loupe.loss.reason")))).stream().findFirst());
  }

  /** Nothing Loupe exported says this order was lost or parked. */
  private static void assertNotReported(String orderId) throws Exception {
    awaitLog("JW-9E0001", null); // the run's last loss has arrived, so an earlier one would have too
    assertThat(lossSpans(orderId)).isEmpty();
    assertThat(lossLogs(l -> orderId.equals(l.orderId()) || l.body().contains(orderId))).isEmpty();
  }

  /** Exactly one loss span and one record for the order, with {@code reason}. */
  private static void assertReportedOnlyAs(String orderId, String reason) {
    assertThat(lossSpans(orderId)).singleElement()
        .satisfies(s -> assertThat(s.attributes()).containsEntry("loupe.loss.reason", reason));
    assertThat(lossLogs(l -> orderId.equals(l.orderId()))).singleElement()
        .satisfies(l -> assertThat(l.attributes()).containsEntry("loupe.loss.reason", reason));
  }

  /** The latest cumulative value of {@code metric} at {@code destination} with {@code reason}. */
  private static double count(String metric, String destination, String reason) {
    Map<Map<String, String>, Double> latest = new HashMap<>();
    for (ExportedPoint p : receiver.points()) {
      if (p.service().equals(SERVICE) && p.metric().equals(metric)
          && destination.equals(p.attributes().get("messaging.destination.name"))
          && reason.equals(p.attributes().get("reason"))) {
        latest.put(p.attributes(), p.value());
      }
    }
    return latest.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /** Waits for the count to reach {@code expected}, then gives the final count (which must not overshoot). */
  private static double awaitCount(String metric, String destination, String reason, double expected) throws Exception {
    Eventually.await(metric + "{" + destination + ", " + reason + "} to reach " + expected, WAIT, () -> {
      double now = count(metric, destination, reason);
      return now >= expected ? Optional.of(now) : Optional.empty();
    });
    return count(metric, destination, reason);
  }

  /** A broker counter summed over the series with {@code dead_letter_strategy}. */
  private static double brokerCounter(String metrics, String name, String strategy) {
    return metrics.lines().filter(l -> l.startsWith(name + "{") && l.contains("dead_letter_strategy=\"" + strategy + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
