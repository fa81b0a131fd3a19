package dev.loupe.agent.db;

import dev.loupe.agent.LazyCounter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Why a request is slow, on the request's own span: the same statement run again and again (N+1) and
 * statements slower than a threshold. Counts database client spans started directly under a server
 * span while the request is open, and writes the counts onto it:
 * {@code loupe.db.repeated_statements} (the most times one statement ran, once it reaches the threshold)
 * and {@code loupe.db.slow_statements}. Each execution of a statement beyond its first, in a request
 * that crossed the threshold, adds one to the metric {@code loupe.db.repeated_statements} by route.
 */
public final class StatementDiagnosis implements SpanProcessor {

  public static final AttributeKey<Long> REPEATED = AttributeKey.longKey("loupe.db.repeated_statements");
  public static final AttributeKey<Long> SLOW = AttributeKey.longKey("loupe.db.slow_statements");
  private static final AttributeKey<String> DB_QUERY_TEXT = AttributeKey.stringKey("db.query.text");
  private static final AttributeKey<String> DB_STATEMENT = AttributeKey.stringKey("db.statement");
  private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");

  /** What one open request has run so far. */
  private static final class Request {
    final Span span;
    final Map<String, AtomicInteger> statements = new ConcurrentHashMap<>();
    final AtomicInteger slow = new AtomicInteger();
    volatile int worst;
    volatile boolean crossed;

    Request(Span span) {
      this.span = span;
    }
  }

  private final DbDiagnosisSettings settings;
  private final Map<String, Request> open = new ConcurrentHashMap<>();
  private final LazyCounter repeatedCounter = new LazyCounter("loupe.db.repeated_statements",
      "Statements run again within one request whose repeats crossed the threshold (N+1)", "{statement}");

  public StatementDiagnosis(DbDiagnosisSettings settings) {
    this.settings = settings;
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    try {
      if (span.getKind() == SpanKind.SERVER) {
        open.put(span.getSpanContext().getSpanId(), new Request(span));
        return;
      }
      String statement = statement(span);
      if (statement == null || span.getKind() != SpanKind.CLIENT) {
        return;
      }
      Request request = open.get(Span.fromContext(parentContext).getSpanContext().getSpanId());
      if (request == null) {
        return;
      }
      int count = request.statements.computeIfAbsent(statement, s -> new AtomicInteger()).incrementAndGet();
      if (count > request.worst) {
        request.worst = count;
        if (count >= settings.repeatedThreshold()) {
          request.span.setAttribute(REPEATED, (long) count);
        }
      }
      if (count >= settings.repeatedThreshold()) {
        request.crossed = true;
      }
    } catch (RuntimeException e) {
      // diagnosis is best effort: never in the application's way
    }
  }

  @Override
  public void onEnd(ReadableSpan span) {
    try {
      if (span.getKind() == SpanKind.SERVER) {
        Request request = open.remove(span.getSpanContext().getSpanId());
        if (request != null && request.crossed) {
          long repeats = request.statements.values().stream().mapToInt(AtomicInteger::get)
              .filter(n -> n >= settings.repeatedThreshold()).mapToLong(n -> n - 1L).sum();
          repeatedCounter.add(repeats, Attributes.of(HTTP_ROUTE, route(span)));
        }
        return;
      }
      if (span.getKind() == SpanKind.CLIENT && statement(span) != null
          && span.getLatencyNanos() >= settings.slowThreshold().toNanos()) {
        Request request = open.get(span.getParentSpanContext().getSpanId());
        if (request != null) {
          request.span.setAttribute(SLOW, (long) request.slow.incrementAndGet());
        }
      }
    } catch (RuntimeException e) {
      // diagnosis is best effort: never in the application's way
    }
  }

  /** The request's route; without one, the span's name, which the agent keeps to method and route. */
  private static String route(ReadableSpan span) {
    String route = span.getAttribute(HTTP_ROUTE);
    return route != null ? route : span.getName();
  }

  private static String statement(ReadableSpan span) {
    String text = span.getAttribute(DB_QUERY_TEXT);
    return text != null ? text : span.getAttribute(DB_STATEMENT);
  }


  @Override
  public boolean isStartRequired() {
    return settings.enabled();
  }

  @Override
  public boolean isEndRequired() {
    return settings.enabled();
  }

  @Override
  public CompletableResultCode shutdown() {
    open.clear();
    return CompletableResultCode.ofSuccess();
  }
}
