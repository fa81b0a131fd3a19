package dev.loupe.agent.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.instrumentation.api.instrumenter.Instrumenter;
import io.opentelemetry.instrumentation.api.instrumenter.SpanKindExtractor;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StatementDiagnosisTest {

  private static final String TYPES = "select t.id, t.name from types t order by t.name";

  private final InMemorySpanExporter exported = InMemorySpanExporter.create();
  private final StatementDiagnosis diagnosis = new StatementDiagnosis(DbDiagnosisSettings.from(
      DefaultConfigProperties.createFromMap(
          Map.of("loupe.db.repeated-statement-threshold", "5", "loupe.db.slow-statement-threshold", "200ms"))));
  private final SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(diagnosis)
      .addSpanProcessor(SimpleSpanProcessor.create(exported)).build();
  private final Tracer tracer = provider.get("test");
  /** server spans as the agent starts them: through an instrumenter, which keeps the local root in the context */
  private final Instrumenter<String, Void> servers = Instrumenter.<String, Void>builder(
      OpenTelemetrySdk.builder().setTracerProvider(provider).build(), "test", request -> request)
      .buildInstrumenter(SpanKindExtractor.alwaysServer());
  private final ExecutorService executor = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

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
    return server("GET /api/orders");
  }

  private void statement(String sql, long millis) {
    Instant start = Instant.now();
    Span span = tracer.spanBuilder("SELECT").setSpanKind(SpanKind.CLIENT).setStartTimestamp(start)
        .setAttribute("db.statement", sql).startSpan();
    span.end(start.plusMillis(millis).toEpochMilli(), TimeUnit.MILLISECONDS);
  }

  /** A Spring Data repository call as the agent traces it: repository span, Hibernate's span, then JDBC. */
  private void repositoryCall(String sql, long millis) {
    Span repository = tracer.spanBuilder("TypeRepository.findAll").setSpanKind(SpanKind.INTERNAL).startSpan();
    try (Scope r = repository.makeCurrent()) {
      Span hibernate = tracer.spanBuilder("SELECT Type").setSpanKind(SpanKind.INTERNAL).startSpan();
      try (Scope h = hibernate.makeCurrent()) {
        statement(sql, millis);
      }
      hibernate.end();
    }
    repository.end();
  }

  private SpanData server(String name) {
    return exported.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER && s.getName().equals(name))
        .reduce((a, b) -> b).orElseThrow();
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
  void statementsUnderRepositoryAndOrmSpansCountForTheRequest() {
    Context request = servers.start(Context.root(), "GET /owners/{ownerId}");
    Span controller = tracer.spanBuilder("OwnerController.showOwner").setParent(request).startSpan();
    try (Scope c = controller.storeInContext(request).makeCurrent()) {
      for (int i = 0; i < 7; i++) {
        repositoryCall(TYPES, i == 0 ? 300 : 0);
      }
    }
    controller.end();
    servers.end(request, "GET /owners/{ownerId}", null, null);

    SpanData server = server("GET /owners/{ownerId}");
    assertThat(server.getAttributes().get(StatementDiagnosis.REPEATED)).isEqualTo(7L);
    assertThat(server.getAttributes().get(StatementDiagnosis.SLOW)).isEqualTo(1L);
    // the statements were three levels below the server span, not its children
    assertThat(exported.getFinishedSpanItems()).filteredOn(s -> s.getKind() == SpanKind.CLIENT).hasSize(7)
        .noneMatch(s -> s.getParentSpanId().equals(server.getSpanId()));
    assertThat(diagnosis.followed()).isZero();
  }

  @Test
  void statementsOnAThreadTheRequestHandedWorkToCountForTheRequest() throws Exception {
    Context request = servers.start(Context.root(), "GET /api/catalogue");
    try (Scope ignored = request.makeCurrent()) {
      // as the agent's executor instrumentation does: the task runs in the context it was submitted in
      executor.submit(Context.current().wrap(() -> {
        for (int i = 0; i < 6; i++) {
          repositoryCall(TYPES, 0);
        }
      })).get(10, TimeUnit.SECONDS);
    }
    servers.end(request, "GET /api/catalogue", null, null);

    assertThat(server("GET /api/catalogue").getAttributes().get(StatementDiagnosis.REPEATED)).isEqualTo(6L);
  }

  @Test
  void concurrentRequestsAreCountedApart() {
    Context first = servers.start(Context.root(), "GET /first");
    Context second = servers.start(Context.root(), "GET /second");
    for (int i = 0; i < 5; i++) {
      try (Scope a = first.makeCurrent()) {
        repositoryCall(TYPES, 0);
      }
      try (Scope b = second.makeCurrent()) {
        repositoryCall(TYPES, 0);
        repositoryCall(TYPES, 0);
      }
    }
    servers.end(first, "GET /first", null, null);
    servers.end(second, "GET /second", null, null);

    assertThat(server("GET /first").getAttributes().get(StatementDiagnosis.REPEATED)).isEqualTo(5L);
    assertThat(server("GET /second").getAttributes().get(StatementDiagnosis.REPEATED)).isEqualTo(10L);
  }

  @Test
  void statementsOutsideAnyRequestAreNotFollowed() {
    for (int i = 0; i < 10; i++) {
      repositoryCall(TYPES, 300);
    }
    assertThat(diagnosis.followed()).isZero();
    assertThat(exported.getFinishedSpanItems()).noneMatch(s -> s.getAttributes().get(StatementDiagnosis.REPEATED) != null);
  }

  @Test
  void requestsNeverEndedAreFollowedOnlyUpToTheBound() {
    List<Span> leaked = java.util.stream.IntStream.range(0, StatementDiagnosis.MAX_OPEN_REQUESTS + 50)
        .mapToObj(i -> tracer.spanBuilder("GET /leak").setSpanKind(SpanKind.SERVER).startSpan())
        .collect(Collectors.toList());
    assertThat(diagnosis.followed()).isEqualTo(StatementDiagnosis.MAX_OPEN_REQUESTS);
    leaked.forEach(Span::end);
    assertThat(diagnosis.followed()).isZero();
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
