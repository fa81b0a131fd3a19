package dev.loupe.agent.order;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Collection;

/**
 * Wraps the configured propagators. Outgoing (HTTP client, RabbitMQ publish): the order id of the
 * context, else that of the pulled message in hand ({@link PulledInHand}), goes into W3C baggage, so it
 * travels with the trace context. Incoming (HTTP server, RabbitMQ consume): an order id in baggage is
 * kept only if it looks like one; without one, the configured headers are read. A carrier that is the
 * pulled-message signal of the application's class loader is handed to {@link PulledInHand} instead.
 */
final class OrderPropagator implements TextMapPropagator {

  private final TextMapPropagator delegate;
  private final OrderIdSettings settings;

  OrderPropagator(TextMapPropagator delegate, OrderIdSettings settings) {
    this.delegate = delegate;
    this.settings = settings;
  }

  @Override
  public Collection<String> fields() {
    return delegate.fields();
  }

  @Override
  public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
    Context withOrder = context;
    try {
      Baggage baggage = Baggage.fromContext(context);
      if (baggage.getEntryValue(OrderIds.BAGGAGE_KEY) == null) {
        String id = OrderIds.of(context);
        if (id == null) {
          id = PulledInHand.of(context);
        }
        if (id != null) {
          withOrder = context.with(baggage.toBuilder().put(OrderIds.BAGGAGE_KEY, id).build());
        }
      }
    } catch (RuntimeException e) {
      withOrder = context;
    }
    delegate.inject(withOrder, carrier, setter);
  }

  @Override
  public <C> Context extract(Context context, C carrier, TextMapGetter<C> getter) {
    if (PulledInHand.accepts(carrier)) {
      return context;
    }
    Context extracted = delegate.extract(context, carrier, getter);
    try {
      Baggage baggage = Baggage.fromContext(extracted);
      String id = baggage.getEntryValue(OrderIds.BAGGAGE_KEY);
      if (id != null && settings.accepts(id)) {
        return extracted;
      }
      String fromHeader = null;
      for (String header : settings.headers()) {
        String value = getter.get(carrier, header);
        if (settings.accepts(value)) {
          fromHeader = value;
          break;
        }
      }
      if (fromHeader == null && id == null) {
        return extracted;
      }
      BaggageBuilder builder = baggage.toBuilder().remove(OrderIds.BAGGAGE_KEY);
      if (fromHeader != null) {
        builder.put(OrderIds.BAGGAGE_KEY, fromHeader);
      }
      return extracted.with(builder.build());
    } catch (RuntimeException e) {
      return extracted;
    }
  }
}
