package dev.loupe.agent.order;

import dev.loupe.agent.order.mdc.PulledOrder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.instrumentation.api.instrumenter.LocalRootSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;

/**
 * The SDK's side of "the pulled message in hand" ({@link PulledOrder}, which lives in the application's
 * class loader where the {@code basicGet} advice runs): the order of the message this thread pulled and
 * has not settled, for the span processor, the log record processor and the propagator, which run in the
 * agent's class loader and cannot see the application's thread-local.
 *
 * <p>The two class loaders share the agent's API and nothing of either's own, so the application's side
 * tells this one through the one object of the extension it can reach: the global propagator, which is
 * {@link OrderPropagator}. {@link PulledOrder} calls its {@code extract} with a carrier no instrumentation
 * uses, an {@code Object[]} that starts with {@link PulledOrder#SIGNAL}; the propagator hands it here
 * and returns the context untouched ({@link #accepts}). The rules are {@link PulledOrder}'s: in hand for
 * the work (the local root server or consumer span, or none) that pulled it; a message pulled with
 * auto-ack is let go once the thread is in other work.
 */
final class PulledInHand {

  private static final ThreadLocal<Held> held = new ThreadLocal<Held>();

  private PulledInHand() {}

  /**
   * Takes {@code carrier} if it is {@link PulledOrder}'s signal: {@code {SIGNAL, id, work, autoAck}},
   * id null when the thread let go of its message.
   *
   * @return true if it was the signal (the caller then does nothing else with it), false for any other
   *     carrier
   */
  static boolean accepts(Object carrier) {
    if (!(carrier instanceof Object[])) {
      return false;
    }
    Object[] signal = (Object[]) carrier;
    if (signal.length != 4 || !PulledOrder.SIGNAL.equals(signal[0])) {
      return false;
    }
    if (signal[1] instanceof String) {
      held.set(new Held((String) signal[1], signal[2], Boolean.TRUE.equals(signal[3])));
    } else {
      held.remove();
    }
    return true;
  }

  /**
   * The order of the message in hand for the work of {@code context}, or null if there is none; a thread
   * that never pulled a message with an order pays one thread-local read.
   */
  static String of(Context context) {
    Held h = held.get();
    if (h == null) {
      return null;
    }
    if (h.work != work(context)) {
      if (h.autoAck) {
        held.remove();
      }
      return null;
    }
    return h.id;
  }

  /** The local root server or consumer span of {@code context}, by identity, or null (as {@code ContextOrder.work}). */
  private static Object work(Context context) {
    Span root = LocalRootSpan.fromContextOrNull(context);
    if (!(root instanceof ReadableSpan)) {
      return null;
    }
    SpanKind kind = ((ReadableSpan) root).getKind();
    return kind == SpanKind.SERVER || kind == SpanKind.CONSUMER ? root : null;
  }

  /** What a thread holds: the order, the work that pulled it, and whether it came with auto-ack. */
  private static final class Held {
    final String id;
    final Object work;
    final boolean autoAck;

    Held(String id, Object work, boolean autoAck) {
      this.id = id;
      this.work = work;
      this.autoAck = autoAck;
    }
  }
}
