package dev.loupe.agent.loss;

import dev.loupe.agent.LazyCounter;
import dev.loupe.agent.order.OrderIds;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.LogRecordBuilder;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.internal.ExtendedSpanProcessor;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Says loudly where an order was lost. A span that ends with {@code loupe.loss.reason} (set by a
 * sentinel while it was open) gets the event {@code loupe.loss}, a WARN log record with its order id,
 * both stamped with the moment the span ended (when the loss became known), and one more on the loss
 * metric of its kind; a {@code dead_lettered} message, parked rather than lost, is counted under its own
 * reason, which the alert rules make a ticket rather than a page. Message losses are counted by
 * destination, at most {@code loupe.messaging.max-destinations} of them ({@link Destinations}). It also decides, as a request or watched operation ends,
 * whether an exception logged at ERROR inside it was swallowed: the request still answered 2xx, or the
 * operation still returned normally.
 */
public final class LossReporter implements ExtendedSpanProcessor {

  public static final AttributeKey<String> REASON = AttributeKey.stringKey(LossAttributes.REASON);
  /** Put on a watched operation's span by its instrumentation. */
  public static final AttributeKey<String> OPERATION = AttributeKey.stringKey("loupe.operation");
  /** Put on a funnel stage's span by its instrumentation. */
  public static final AttributeKey<String> STAGE = AttributeKey.stringKey("loupe.stage");
  static final Set<String> MESSAGE_REASONS = Collections.unmodifiableSet(new HashSet<>(Arrays.asList(
      LossAttributes.UNROUTABLE, LossAttributes.PUBLISH_NACKED, LossAttributes.PUBLISH_REFUSED, LossAttributes.REJECTED,
      LossAttributes.CONSUMER_FAILED)));
  static final String SWALLOWED = "swallowed_exception";

  private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  private static final AttributeKey<String> LOSS_DESTINATION = AttributeKey.stringKey(LossAttributes.DESTINATION);
  private static final AttributeKey<String> REASON_LABEL = AttributeKey.stringKey("reason");
  private static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");

  /** Logged at ERROR without an exception object: the message is all there is. */
  static final String WITHOUT_EXCEPTION = "none";
  /** Spans in which an ERROR was logged, with the type of its exception ({@link #WITHOUT_EXCEPTION} if none), until they end. */
  private final Map<String, String> loggedErrors = new ConcurrentHashMap<>();
  private final Destinations destinations;
  private final LazyCounter messagesLost = new LazyCounter("loupe.messages.lost",
      "Order messages the broker refused, nacked or returned, or a consumer rejected or failed on; reason"
          + " dead_lettered counts those rejected into a dead-letter exchange, parked rather than lost", "{message}");
  private final LazyCounter exceptionsSwallowed = new LazyCounter("loupe.exceptions.swallowed",
      "Exceptions logged at ERROR inside a request that still answered 2xx, or a watched operation that still"
          + " returned normally", "{exception}");
  private final LazyCounter stages = new LazyCounter("loupe.order.stage",
      "Orders through each configured stage of the funnel, by outcome", "{order}");

  /** {@code maxDestinations}: how many distinct destinations the message metrics name before counting the rest as {@code (other)}. */
  LossReporter(int maxDestinations) {
    this.destinations = new Destinations(maxDestinations);
  }

  /**
   * Called by {@link ErrorLogMarker}: an ERROR was logged inside {@code span}, a request or a watched
   * operation, with an exception of {@code type}, or without one ({@code type} null). The first one
   * logged names the kind.
   */
  void errorLoggedIn(ReadableSpan span, String type) {
    if (span.getKind() == SpanKind.SERVER || span.getAttribute(OPERATION) != null) {
      loggedErrors.putIfAbsent(span.getSpanContext().getSpanId(), type == null ? WITHOUT_EXCEPTION : type);
    }
  }

  @Override
  public void onEnding(ReadWriteSpan span) {
    try {
      String logged = loggedErrors.remove(span.getSpanContext().getSpanId());
      String reason = span.getAttribute(REASON);
      if (logged != null && reason == null && swallowed(span)) {
        reason = SWALLOWED;
        span.setAttribute(REASON, reason);
      }
      String stage = span.getAttribute(STAGE);
      if (stage != null) {
        boolean failed = reason != null || span.toSpanData().getStatus().getStatusCode() == StatusCode.ERROR;
        stages.add(1, Attributes.of(AttributeKey.stringKey("stage"), stage,
            AttributeKey.stringKey("outcome"), failed ? "failure" : "success"));
      }
      if (reason == null || reason.equals("overdue")) {
        return; // overdue calls are reported while they still run
      }
      long at = endNanos(span);
      span.addEvent("loupe.loss", Attributes.of(REASON, reason), at, TimeUnit.NANOSECONDS);
      report(span, reason, logged, at);
    } catch (RuntimeException e) {
      // reporting a loss must never become one
    }
  }

  private static boolean swallowed(ReadableSpan span) {
    if (span.getKind() == SpanKind.SERVER) {
      Long status = span.getAttribute(STATUS);
      return status != null && status >= 200 && status < 300;
    }
    return span.toSpanData().getStatus().getStatusCode() != StatusCode.ERROR;
  }

  /** When the span ended, which is when its loss became known. */
  private static long endNanos(ReadableSpan span) {
    long end = span.toSpanData().getEndEpochNanos();
    if (end > 0) {
      return end;
    }
    Instant now = Instant.now();
    return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
  }

  private void report(ReadWriteSpan span, String reason, String exceptionType, long at) {
    String orderId = span.getAttribute(OrderIds.ORDER_ID);
    String order = orderId == null ? "An order" : "Order " + orderId;
    String body;
    if (MESSAGE_REASONS.contains(reason) || reason.equals(LossAttributes.DEAD_LETTERED)) {
      String named = span.getAttribute(LOSS_DESTINATION);
      String destination = Destinations.spelling(named != null ? named : span.getAttribute(DESTINATION));
      messagesLost.add(1, Attributes.of(DESTINATION, destinations.of(destination), REASON_LABEL, reason));
      body = reason.equals(LossAttributes.DEAD_LETTERED)
          ? order + " was dead-lettered at " + destination + ": parked by the broker for replay, not lost"
          : order + " may be lost (" + reason + ") at " + destination;
    } else {
      String route = span.getAttribute(ROUTE);
      String operation = span.getAttribute(OPERATION);
      String place = route != null ? route : operation != null ? operation : span.getName();
      exceptionsSwallowed.add(1, Attributes.of(EXCEPTION_TYPE, exceptionType == null ? "unknown" : exceptionType,
          ROUTE, place));
      Long status = span.getAttribute(STATUS);
      body = order + " may be lost (" + reason + ") in " + place
          + (status != null ? ", which answered " + status : ", which went on as if nothing happened")
          + (exceptionType == null ? ""
              : exceptionType.equals(WITHOUT_EXCEPTION) ? " after logging an error without its exception"
              : " after logging " + exceptionType);
    }
    LogRecordBuilder record = GlobalOpenTelemetry.get().getLogsBridge().get("dev.loupe.agent").logRecordBuilder()
        .setTimestamp(at, TimeUnit.NANOSECONDS)
        .setSeverity(Severity.WARN)
        .setSeverityText("WARN")
        .setBody(body)
        .setAttribute(REASON, reason)
        .setContext(Context.root().with(io.opentelemetry.api.trace.Span.wrap(span.getSpanContext())));
    if (orderId != null) {
      record.setAttribute(OrderIds.ORDER_ID, orderId);
    }
    record.emit();
  }

  @Override
  public boolean isOnEndingRequired() {
    return true;
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {}

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {}

  @Override
  public boolean isEndRequired() {
    return false;
  }

  @Override
  public CompletableResultCode shutdown() {
    loggedErrors.clear();
    return CompletableResultCode.ofSuccess();
  }
}
