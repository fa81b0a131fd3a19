package dev.loupe.agent.order.mdc;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.instrumentation.api.instrumenter.LocalRootSpan;
import java.lang.reflect.Method;

/**
 * The order of a context, as seen from inside the application's class loaders, where the logging and
 * legacy-method instrumentation's helpers run: the W3C baggage entry {@code order.id} (from an upstream
 * service, a header, a method argument or a message body), else the {@code order.id} attribute of the
 * context's span, else that of the request's local root server span (an id found in the request's path
 * or query, or late in the request).
 *
 * <p>The helpers see the agent's API but not its SDK, whose spans hold the attributes; a span's
 * attribute is read through the SDK's public {@code ReadableSpan} interface, found once per span class.
 * A span without it (no SDK, a no-op span) has no order.
 */
public final class ContextOrder {

  /** The span attribute and baggage entry of the telemetry contract. */
  public static final String ORDER_ID = "order.id";
  private static final AttributeKey<String> ORDER_ID_KEY = AttributeKey.stringKey(ORDER_ID);
  private static final String READABLE_SPAN = "io.opentelemetry.sdk.trace.ReadableSpan";
  private static final SpanReaders readers = new SpanReaders();

  private ContextOrder() {}

  /** The order id of {@code context}, or null if it has none. */
  public static String of(Context context) {
    String id = Baggage.fromContext(context).getEntryValue(ORDER_ID);
    if (id != null) {
      return id;
    }
    id = attribute(Span.fromContext(context));
    if (id != null) {
      return id;
    }
    Span root = LocalRootSpan.fromContextOrNull(context);
    return root == null || !isServer(root) ? null : attribute(root);
  }

  /**
   * The order of a line logged in {@code context}: its order ({@link #of}), else that of the message
   * this thread pulled and holds for the work of {@code context} ({@link PulledOrder}); null if neither.
   */
  public static String forLog(Context context) {
    String id = of(context);
    return id != null ? id : PulledOrder.of(context);
  }

  /**
   * The work {@code context} belongs to, by identity: the request or pushed delivery its local root
   * server or consumer span stands for, or null outside both (a poller's loop, a scheduler's run, or a
   * client span of the agent's own that has no parent).
   */
  public static Object work(Context context) {
    Span root = LocalRootSpan.fromContextOrNull(context);
    if (root == null) {
      return null;
    }
    Object kind = kind(root);
    return kind == SpanKind.SERVER || kind == SpanKind.CONSUMER ? root : null;
  }

  /**
   * An order id found late in the current request (a legacy method's argument or return value): it
   * becomes the request's, on its local root server span, so the spans and log lines that follow in the
   * request carry it. The first order found stays; outside a server request nothing changes, because a
   * poller's or scheduler's run handles many orders.
   */
  public static void foundInRequest(String id) {
    Span root = LocalRootSpan.fromContextOrNull(Context.current());
    if (root != null && isServer(root) && attribute(root) == null) {
      root.setAttribute(ORDER_ID_KEY, id);
    }
  }

  static String attribute(Span span) {
    if (!span.getSpanContext().isValid()) {
      return null;
    }
    Method[] reader = readers.get(span.getClass());
    if (reader == null) {
      return null;
    }
    try {
      Object value = reader[0].invoke(span, ORDER_ID_KEY);
      return value instanceof String ? (String) value : null;
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  private static boolean isServer(Span span) {
    return kind(span) == SpanKind.SERVER;
  }

  /** The kind of an SDK span; null for any other span. */
  private static Object kind(Span span) {
    Method[] reader = readers.get(span.getClass());
    if (reader == null) {
      return null;
    }
    try {
      return reader[1].invoke(span);
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  /** Per span class, {@code ReadableSpan.getAttribute(AttributeKey)} and {@code getKind()}; null if it is no SDK span. */
  static final class SpanReaders extends ClassValue<Method[]> {
    @Override
    protected Method[] computeValue(Class<?> type) {
      Class<?> readable = find(type);
      if (readable == null) {
        return null;
      }
      try {
        return new Method[] {readable.getMethod("getAttribute", AttributeKey.class), readable.getMethod("getKind")};
      } catch (NoSuchMethodException e) {
        return null;
      }
    }

    private static Class<?> find(Class<?> type) {
      for (Class<?> c = type; c != null; c = c.getSuperclass()) {
        for (Class<?> i : c.getInterfaces()) {
          if (i.getName().equals(READABLE_SPAN)) {
            return i;
          }
          Class<?> inherited = find(i);
          if (inherited != null) {
            return inherited;
          }
        }
      }
      return null;
    }
  }
}
