package dev.loupe.agent.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StatementDiagnosisTest {

  private final InMemorySpanExporter exported = InMemorySpanExporter.create();
  private final Tracer tracer = SdkTracerProvider.builder()
      .addSpanProcessor(new StatementDiagnosis(DbDiagnosisSettings.from(DefaultConfigProperties.createFromMap(
          Map.of("loupe.db.repeated-statement-threshold", "5", "loupe.db.slow-statement-threshold", "200ms")))))
      .addSpanProcessor(SimpleSpanProcessor.create(exported))
      .build().get("test");

  private SpanData request(int lookups, long slowMillis) {
    Span server = tracer.spanBuilder("GET /api/orders").setSpanKind(SpanKind.SERVER).startSpan();
    try (Scope ignored = server.makeCurrent()) {
      statement("SELECT o.order_id FROM orders o WHERE o.status = ?", 0);
      for (int i = 0; i < lookups; i++) {
        statement("SELECT name FROM operators WHERE id = ?", 0);
      }
      if (slowMillis > 0) {
        statement("SELECT count(*) FROM orders", slowMillis);
      }
    }
    server.end();
    return exported.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER).reduce((a, b) -> b)
        .orElseThrow();
  }

  private void statement(String sql, long millis) {
    Instant start = Instant.now();
    Span span = tracer.spanBuilder("SELECT").setSpanKind(SpanKind.CLIENT).setStartTimestamp(start)
        .setAttribute("db.statement", sql).startSpan();
    span.end(start.plusMillis(millis).toEpochMilli(), TimeUnit.MILLISECONDS);
  }

  @Test
  void aStatementRunPerRowIsMarkedOnTheRequestWithItsCount() {
    assertThat(request(20, 0).getAttributes().get(StatementDiagnosis.REPEATED)).isEqualTo(20L);
  }

  @Test
  void aFewRepeatsBelowTheThresholdAreNotMarked() {
    assertThat(request(4, 0).getAttributes().get(StatementDiagnosis.REPEATED)).isNull();
  }

  @Test
  void slowStatementsAreCounted() {
    SpanData span = request(0, 300);
    assertThat(span.getAttributes().get(StatementDiagnosis.SLOW)).isEqualTo(1L);
    assertThat(span.getAttributes().get(StatementDiagnosis.REPEATED)).isNull();
  }

  @Test
  void badSettingsAreReportedByNameAndTheDefaultsUsed() {
    DbDiagnosisSettings s = DbDiagnosisSettings.from(DefaultConfigProperties.createFromMap(
        Map.of("loupe.db.repeated-statement-threshold", "1", "loupe.db.slow-statement-threshold", "soon")));
    assertThat(s.repeatedThreshold()).isEqualTo(5);
    assertThat(s.problems()).anyMatch(p -> p.startsWith("loupe.db.repeated-statement-threshold: '1'"))
        .anyMatch(p -> p.startsWith("loupe.db.slow-statement-threshold"));
  }
}
