package dev.loupe.agent.db;

import dev.loupe.agent.LazyCounter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.instrumentation.api.instrumenter.LocalRootSpan;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Why a request is slow, on the request's own span: the same statement run again and again (N+1) and
 * statements slower than a threshold.
 *
 * <p>Every database client span (one with {@code db.query.text} or {@code db.statement}) started while a
 * request is served counts for that request, at any depth: under a Spring Data repository span, a
 * Hibernate session span, an application's own span, or on an executor thread the request handed work
 * to. The request is the <em>local root</em> server span — the server span whose parent, if any, came
 * from another process — which the agent's instrumenters keep in every context derived from it
 * ({@link LocalRootSpan}), and so on every thread the agent carries that context to. A span started
 * outside the agent's instrumenters (no local root in its context) counts when its direct parent is the
 * request's server span.
 *
 * <p>On the request's span: {@code loupe.db.repeated_statements}, the most times one statement ran, once
 * that reaches the threshold; {@code loupe.db.slow_statements}, how many statements took longer than the
 * slow threshold. Each execution of a statement beyond its first, in a request that crossed the
 * threshold, adds one to the metric {@code loupe.db.repeated_statements} by route when the request ends.
 *
 * <p>Bounded: at most {@link #MAX_OPEN_REQUESTS} requests, {@link #MAX_STATEMENTS} distinct statements per
 * request and {@link #MAX_OPEN_STATEMENTS} statements in flight are followed; beyond those the excess is
 * not diagnosed (a request never ended by its instrumentation stays among the open ones until the bound,
 * so it cannot grow the heap without limit). It runs on the application's threads behind its boundary
 * ({@code Contained}): should it ever throw, it is switched off and the application carries on.
 */
public final class StatementDiagnosis implements SpanProcessor {

  public static final AttributeKey<Long> REPEATED = AttributeKey.longKey("loupe.db.repeated_statements");
  public static final AttributeKey<Long> SLOW = AttributeKey.longKey("loupe.db.slow_statements");
  private static final AttributeKey<String> DB_QUERY_TEXT = AttributeKey.stringKey("db.query.text");
  private static final AttributeKey<String> DB_STATEMENT = AttributeKey.stringKey("db.statement");
  private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");

  /** Requests served at once by one JVM; far above a Tomcat's default 200 threads. */
  static final int MAX_OPEN_REQUESTS = 10_000;
  /** Distinct statements remembered per request: an N+1 repeats a few statements, it does not invent thousands. */
  static final int MAX_STATEMENTS = 1_000;
  /** Statements running at once across all requests, remembered until they end to judge if they were slow. */
  static final int MAX_OPEN_STATEMENTS = 10_000;

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
  /** open requests by their server span's id */
  private final Map<String, Request> open = new ConcurrentHashMap<>();
  /** statements in flight by their span's id, with their request, so their duration can be judged at their end */
  private final Map<String, Request> running = new ConcurrentHashMap<>();
  private final LazyCounter repeatedCounter = new LazyCounter("loupe.db.repeated_statements",
      "Statements run again within one request whose repeats crossed the threshold (N+1)", "{statement}");

  public StatementDiagnosis(DbDiagnosisSettings settings) {
    this.settings = settings;
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    if (span.getKind() == SpanKind.SERVER) {
      SpanContext parent = Span.fromContext(parentContext).getSpanContext();
      if ((!parent.isValid() || parent.isRemote()) && open.size() < MAX_OPEN_REQUESTS) {
        open.put(span.getSpanContext().getSpanId(), new Request(span));
      }
      return;
    }
    if (span.getKind() != SpanKind.CLIENT) {
      return;
    }
    String statement = statement(span);
    if (statement == null) {
      return;
    }
    Request request = requestOf(parentContext);
    if (request == null) {
      return;
    }
    AtomicInteger counter = request.statements.get(statement);
    if (counter == null) {
      if (request.statements.size() >= MAX_STATEMENTS) {
        return;
      }
      AtomicInteger fresh = new AtomicInteger();
      counter = request.statements.putIfAbsent(statement, fresh);
      if (counter == null) {
        counter = fresh;
      }
    }
    int count = counter.incrementAndGet();
    if (count >= settings.repeatedThreshold()) {
      request.crossed = true;
      synchronized (request) {
        if (count > request.worst) {
          request.worst = count;
          request.span.setAttribute(REPEATED, (long) count);
        }
      }
    }
    if (running.size() < MAX_OPEN_STATEMENTS) {
      running.put(span.getSpanContext().getSpanId(), request);
    }
  }

  /**
   * The open request a span started in {@code parentContext} belongs to: the local root's, which the
   * agent's instrumenters carry in the context; else the direct parent's; null if neither is open.
   */
  private Request requestOf(Context parentContext) {
    Span root = LocalRootSpan.fromContextOrNull(parentContext);
    Span owner = root != null ? root : Span.fromContext(parentContext);
    SpanContext context = owner.getSpanContext();
    return context.isValid() ? open.get(context.getSpanId()) : null;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    if (span.getKind() == SpanKind.SERVER) {
      Request request = open.remove(span.getSpanContext().getSpanId());
      if (request != null && request.crossed) {
        long repeats = 0;
        for (AtomicInteger n : request.statements.values()) {
          int times = n.get();
          if (times >= settings.repeatedThreshold()) {
            repeats += times - 1L;
          }
        }
        repeatedCounter.add(repeats, Attributes.of(HTTP_ROUTE, route(span)));
      }
      return;
    }
    if (span.getKind() != SpanKind.CLIENT || running.isEmpty()) {
      return;
    }
    Request request = running.remove(span.getSpanContext().getSpanId());
    if (request != null && span.getLatencyNanos() >= settings.slowThreshold().toNanos()) {
      request.span.setAttribute(SLOW, (long) request.slow.incrementAndGet());
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

  /** How many requests and statements in flight are followed now; for tests of the bounds. */
  int followed() {
    return open.size() + running.size();
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
    running.clear();
    return CompletableResultCode.ofSuccess();
  }
}
