package dev.loupe.agent.loss;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the reporter makes of a span a sentinel marked: the event, the record and its time, the counts. */
class LossReporterTest {

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final InMemoryLogRecordExporter logs = InMemoryLogRecordExporter.create();
  private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private Tracer tracer;

  @BeforeEach
  void sdk() {
    GlobalOpenTelemetry.resetForTest();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(new LossReporter(3))
            .addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setLoggerProvider(SdkLoggerProvider.builder().addLogRecordProcessor(SimpleLogRecordProcessor.create(logs)).build())
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
        .buildAndRegisterGlobal();
    tracer = sdk.getTracer("test");
  }

  @AfterEach
  void reset() {
    GlobalOpenTelemetry.resetForTest();
  }

  private void lose(String destination, String reason) {
    var builder = tracer.spanBuilder("loss").setAttribute(LossAttributes.REASON, reason).setAttribute("order.id", "JW-1");
    if (destination != null) {
      builder.setAttribute(LossAttributes.DESTINATION, destination);
    }
    builder.startSpan().end();
  }

  /** Each series of {@code metric} by its attributes, as {destination|reason} → count. */
  private Map<String, Long> counts(String metric) {
    return metrics.collectAllMetrics().stream().filter(m -> m.getName().equals(metric))
        .flatMap(m -> m.getLongSumData().getPoints().stream())
        .collect(Collectors.toMap(p -> p.getAttributes().get(AttributeKey.stringKey("messaging.destination.name"))
            + (p.getAttributes().get(AttributeKey.stringKey("reason")) == null ? "" : "|" + p.getAttributes()
                .get(AttributeKey.stringKey("reason"))), LongPointData::getValue));
  }

  @Test
  void theRecordAndTheEventCarryTheMomentTheSpanEnded() {
    lose("mes.order-intake", "rejected");
    SpanData span = spans.getFinishedSpanItems().get(0);
    LogRecordData record = logs.getFinishedLogRecordItems().get(0);
    assertThat(record.getTimestampEpochNanos()).isEqualTo(span.getEndEpochNanos());
    assertThat(record.getObservedTimestampEpochNanos()).isPositive();
    assertThat(span.getEvents()).singleElement()
        .satisfies(e -> assertThat(e.getEpochNanos()).isEqualTo(span.getEndEpochNanos()));
    assertThat(record.getBodyValue().asString()).isEqualTo("Order JW-1 may be lost (rejected) at mes.order-intake");
  }

  @Test
  void aDeadLetteredMessageIsCountedUnderItsOwnReasonAndSaidNotToBeLost() {
    lose("mes.order-intake", "dead_lettered");
    assertThat(counts("loupe.messages.lost")).containsExactly(Map.entry("mes.order-intake|dead_lettered", 1L));
    assertThat(logs.getFinishedLogRecordItems().get(0).getBodyValue().asString())
        .isEqualTo("Order JW-1 was dead-lettered at mes.order-intake: parked by the broker for replay, not lost");
  }

  @Test
  void theDefaultExchangeHasOneSpellingAndDestinationsBeyondTheLimitAreCountedAsOther() {
    lose("", "unroutable");
    tracer.spanBuilder("agent's span").setAttribute(LossAttributes.REASON, "consumer_failed")
        .setAttribute("messaging.destination.name", "<default>").startSpan().end();
    lose("a", "rejected");
    lose("b", "rejected");
    lose("c", "rejected");
    lose("a", "rejected");
    assertThat(counts("loupe.messages.lost")).containsOnly(Map.entry("amq.default|unroutable", 1L),
        Map.entry("amq.default|consumer_failed", 1L), Map.entry("a|rejected", 2L), Map.entry("b|rejected", 1L),
        Map.entry("(other)|rejected", 1L));
  }

  @Test
  void anOverdueCallIsNotReportedAgainWhenItsSpanEnds() {
    lose(null, "overdue");
    assertThat(logs.getFinishedLogRecordItems()).isEmpty();
    assertThat(metrics.collectAllMetrics()).extracting(MetricData::getName).doesNotContain("loupe.messages.lost");
  }
}
