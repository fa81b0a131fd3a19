package dev.loupe.agent.order;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * Puts {@code order.id} on every span that belongs to an order: a server span whose request names it
 * (path template or query parameter), and every span started under one that has it, in this service
 * (the parent span) or upstream (the baggage the propagator extracted); else, for a span that does not
 * start a request or delivery of its own, the order of the message its thread pulled and holds
 * ({@link PulledInHand}).
 */
final class OrderSpanProcessor implements SpanProcessor {

  private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  private static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");

  private final OrderIdSettings settings;

  OrderSpanProcessor(OrderIdSettings settings) {
    this.settings = settings;
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    try {
      String id = span.getKind() == SpanKind.SERVER ? fromRequest(span) : null;
      if (id == null) {
        id = OrderIds.of(parentContext);
      }
      if (id == null && span.getKind() != SpanKind.SERVER && span.getKind() != SpanKind.CONSUMER) {
        // work on a pulled message: no context names it; a request or delivery is other work
        id = PulledInHand.of(parentContext);
      }
      if (id != null) {
        span.setAttribute(OrderIds.ORDER_ID, id);
      }
    } catch (RuntimeException e) {
      // telemetry must never fail the application's work; the span simply goes without an order id
    }
  }

  private String fromRequest(ReadableSpan span) {
    String path = span.getAttribute(URL_PATH);
    for (PathTemplate template : settings.pathTemplates()) {
      String id = template.match(path);
      if (settings.accepts(id)) {
        return id;
      }
    }
    String query = span.getAttribute(URL_QUERY);
    return query == null ? null : fromQuery(query);
  }

  private String fromQuery(String query) {
    for (String name : settings.queryParameters()) {
      int at = 0;
      while ((at = query.indexOf(name, at)) >= 0) {
        int valueStart = at + name.length();
        boolean startsParameter = at == 0 || query.charAt(at - 1) == '&';
        if (startsParameter && valueStart < query.length() && query.charAt(valueStart) == '=') {
          int end = query.indexOf('&', valueStart);
          String value = query.substring(valueStart + 1, end < 0 ? query.length() : end);
          if (settings.accepts(value)) {
            return value;
          }
        }
        at = valueStart;
      }
    }
    return null;
  }

  @Override
  public boolean isStartRequired() {
    return true;
  }

  @Override
  public void onEnd(io.opentelemetry.sdk.trace.ReadableSpan span) {}

  @Override
  public boolean isEndRequired() {
    return false;
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
