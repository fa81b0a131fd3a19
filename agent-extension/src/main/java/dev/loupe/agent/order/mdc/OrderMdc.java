package dev.loupe.agent.order.mdc;

import dev.loupe.agent.Guard;
import io.opentelemetry.api.baggage.Baggage;
import java.util.HashMap;
import java.util.Map;

/** Runs inside the application's class loader: adds {@code order_id} to a log event's MDC. */
public final class OrderMdc {

  public static final String KEY = "order_id";

  private OrderMdc() {}

  private static final Guard guard = Guard.named("order id in the MDC");

  public static Map<String, String> withOrderId(Map<String, String> mdc) {
    try {
      return guard.on() ? add(mdc) : mdc;
    } catch (Throwable e) {
      guard.failed(e);
      return mdc;
    }
  }

  private static Map<String, String> add(Map<String, String> mdc) {
    String id = Baggage.current().getEntryValue("order.id");
    if (id == null || mdc != null && mdc.containsKey(KEY)) {
      return mdc;
    }
    Map<String, String> copy = mdc == null ? new HashMap<>() : new HashMap<>(mdc);
    copy.put(KEY, id);
    return copy;
  }
}
