package dev.loupe.agent.order.mdc;

import dev.loupe.agent.Guard;
import io.opentelemetry.context.Context;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs inside the application's class loader: adds {@code order_id} to a Logback event's MDC when the
 * event captures its MDC, on the thread that logged it, so an {@code AsyncAppender} (or any appender
 * that writes the event later, on another thread) writes the same {@code order_id}.
 */
public final class OrderMdc {

  public static final String KEY = "order_id";

  private OrderMdc() {}

  private static final Guard guard = Guard.named("order id in the MDC");

  /** {@code mdc} with the current context's order id added; {@code mdc} itself if there is none or it has one. */
  public static Map<String, String> withOrderId(Map<String, String> mdc) {
    try {
      return guard.on() ? add(mdc) : mdc;
    } catch (Throwable e) {
      guard.failed(e);
      return mdc;
    }
  }

  private static Map<String, String> add(Map<String, String> mdc) {
    if (mdc != null && mdc.containsKey(KEY)) {
      return mdc;
    }
    String id = ContextOrder.forLog(Context.current());
    if (id == null) {
      return mdc;
    }
    Map<String, String> copy = mdc == null ? new HashMap<String, String>() : new HashMap<String, String>(mdc);
    copy.put(KEY, id);
    return copy;
  }
}
