package dev.loupe.agent.loss;

import dev.loupe.agent.LazyCounter;
import dev.loupe.agent.order.OrderIds;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.internal.ExtendedSpanProcessor;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Says loudly where an order was lost. A span that ends with {@code loupe.loss.reason} (set by a
 * sentinel while it was open) gets the event {@code loupe.loss}, a WARN log record with its order id,
 * and one more on the loss metric of its kind. It also decides, as a request or watched operation ends,
 * whether an exception logged at ERROR inside it was swallowed: the request still answered 2xx, or the
 * operation still returned normally.
 */
public final class LossReporter implements ExtendedSpanProcessor {

  public static final AttributeKey<String> REASON = AttributeKey.stringKey("loupe.loss.reason");
  /** Put on a watched operation's span by its instrumentation. */
  public static final AttributeKey<String> OPERATION = AttributeKey.stringKey("loupe.operation");
  /** Put on a funnel stage's span by its instrumentation. */
  public static final AttributeKey<String> STAGE = AttributeKey.stringKey("loupe.stage");
  static final Set<String> MESSAGE_REASONS = Set.of("unroutable", "publish_nacked", "rejected", "consumer_failed");
  static final String SWALLOWED = "swallowed_exception";

  private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  private static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");

  /** Spans in which an exception was logged at ERROR, with its type, until they end. */
  private final Map<String, String> loggedErrors = new ConcurrentHashMap<>();
  private final LazyCounter messagesLost = new LazyCounter("loupe.messages.lost",
      "Order messages the broker dropped or returned, or a consumer rejected or failed on", "{message}");
  private final LazyCounter exceptionsSwallowed = new LazyCounter("loupe.exceptions.swallowed",
      "Exceptions logged at ERROR inside a request that still answered 2xx, or a watched operation that still"
          + " returned normally", "{exception}");
  private final LazyCounter stages = new LazyCounter("loupe.order.stage",
      "Orders through each configured stage of the funnel, by outcome", "{order}");

  /** Called by {@link ErrorLogMarker}: an exception of {@code type} was logged at ERROR inside {@code span}. */
  void errorLoggedIn(ReadableSpan span, String type) {
    if (span.getKind() == SpanKind.SERVER || span.getAttribute(OPERATION) != null) {
      loggedErrors.putIfAbsent(span.getSpanContext().getSpanId(), type);
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
      span.addEvent("loupe.loss", Attributes.of(REASON, reason));
      report(span, reason, logged);
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

  private void report(ReadWriteSpan span, String reason, String exceptionType) {
    String orderId = span.getAttribute(OrderIds.ORDER_ID);
    String where;
    if (MESSAGE_REASONS.contains(reason)) {
      String destination = span.getAttribute(DESTINATION);
      destination = destination == null ? "unknown" : destination;
      messagesLost.add(1, Attributes.of(DESTINATION, destination, AttributeKey.stringKey("reason"), reason));
      where = "at " + destination;
    } else {
      String route = span.getAttribute(ROUTE);
      String operation = span.getAttribute(OPERATION);
      String place = route != null ? route : operation != null ? operation : span.getName();
      exceptionsSwallowed.add(1, Attributes.of(EXCEPTION_TYPE, exceptionType == null ? "unknown" : exceptionType,
          ROUTE, place));
      Long status = span.getAttribute(STATUS);
      where = "in " + place + (status != null ? ", which answered " + status : ", which went on as if nothing happened")
          + (exceptionType == null ? "" : " after logging " + exceptionType);
    }
    var record = GlobalOpenTelemetry.get().getLogsBridge().get("dev.loupe.agent").logRecordBuilder()
        .setSeverity(Severity.WARN)
        .setSeverityText("WARN")
        .setBody((orderId == null ? "An order" : "Order " + orderId) + " may be lost (" + reason + ") " + where)
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
