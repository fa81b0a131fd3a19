package dev.loupe.agent.order;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.instrumentation.api.instrumenter.LocalRootSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;

/** Where an order id lives in telemetry, and how to find the one that applies to a context. */
public final class OrderIds {

  /** The span and log record attribute of the telemetry contract. */
  public static final AttributeKey<String> ORDER_ID = AttributeKey.stringKey("order.id");
  /** The baggage entry that carries the id across services, threads and the broker. */
  public static final String BAGGAGE_KEY = "order.id";

  private OrderIds() {}

  /**
   * The order id of a context: its baggage, else the attribute of its span, else that of the request's
   * local root server span (an id found late in the request is put there); null if none has one. The
   * instrumentation's helpers, which cannot see the SDK, read the same way ({@code ContextOrder}).
   */
  public static String of(Context context) {
    String id = Baggage.fromContext(context).getEntryValue(BAGGAGE_KEY);
    if (id != null) {
      return id;
    }
    Span span = Span.fromContext(context);
    id = span instanceof ReadableSpan ? ((ReadableSpan) span).getAttribute(ORDER_ID) : null;
    if (id != null) {
      return id;
    }
    Span root = LocalRootSpan.fromContextOrNull(context);
    return root instanceof ReadableSpan && ((ReadableSpan) root).getKind() == SpanKind.SERVER
        ? ((ReadableSpan) root).getAttribute(ORDER_ID) : null;
  }
}
