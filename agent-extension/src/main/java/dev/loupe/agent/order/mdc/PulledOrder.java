package dev.loupe.agent.order.mdc;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Collections;

/**
 * Runs inside the application's class loader: the order of the message a thread pulled with
 * {@code Channel.basicGet} and has not settled yet, "the pulled message in hand". No context surrounds
 * the code that handles a pulled message, so the log lookup ({@link ContextOrder#forLog}) falls back to
 * it when nothing in the context names an order.
 *
 * <p>A message is in hand on the thread that pulled it, from the {@code basicGet} that returned it until
 * that thread settles it ({@code basicAck}, {@code basicNack}, {@code basicReject} of its delivery tag on
 * its channel, or {@code multiple=true} up to it), or pulls again. It is in hand only for the work that
 * pulled it: the request or pushed delivery (the local root server or consumer span) the thread was in
 * at the pull, or none; once the thread is in another request or delivery, it is not, and a message
 * pulled with auto-ack (which has nothing to settle) is dropped then. Holds one small object per thread
 * that pulled a message with an order, nothing when the message names none.
 */
public final class PulledOrder {

  /**
   * The first element of the carrier through which this class tells the SDK's side (the span and log
   * record processors, in the agent's class loader) what this thread holds:
   * {@code {SIGNAL, id or null, work, autoAck}}, given to the global propagator's {@code extract}, the
   * one object of the extension both class loaders reach; the extension's propagator takes it and
   * returns the context untouched, any other propagator finds no field in it.
   */
  public static final String SIGNAL = "loupe.pulled-message";
  private static final ThreadLocal<InHand> inHand = new ThreadLocal<InHand>();

  private PulledOrder() {}

  /**
   * {@code channel} returned a message with delivery {@code tag} to this thread, pulled with
   * {@code autoAck}, doing {@code work} (see {@link ContextOrder#work}); {@code id} is its order, or null
   * if it names none. Whatever was in hand before is let go: a thread handles one pulled message at a time.
   */
  public static void pulled(Object channel, long tag, boolean autoAck, String id, Object work) {
    if (id == null) {
      if (inHand.get() != null) {
        inHand.remove();
        tell(null, null, false);
      }
    } else {
      inHand.set(new InHand(id, channel, tag, autoAck, work));
      tell(id, work, autoAck);
    }
  }

  /**
   * {@code channel} settled delivery {@code tag} ({@code multiple}: every delivery up to it) on this
   * thread: if that is the message in hand, it is let go.
   */
  public static void settled(Object channel, long tag, boolean multiple) {
    InHand held = inHand.get();
    if (held != null && held.channel == channel && (held.tag == tag || multiple && held.tag <= tag)) {
      inHand.remove();
      tell(null, null, false);
    }
  }

  /** Tells the SDK's side that this thread now holds {@code id} for {@code work}, or nothing (id null). */
  private static void tell(String id, Object work, boolean autoAck) {
    GlobalOpenTelemetry.getPropagators().getTextMapPropagator()
        .extract(Context.root(), new Object[] {SIGNAL, id, work, autoAck}, NoFields.INSTANCE);
  }

  /**
   * The order of the message in hand for the work of {@code context}, or null if there is none; the
   * work is looked up only when a message is in hand, so a thread that never pulled pays one lookup.
   */
  static String of(Context context) {
    InHand held = inHand.get();
    return held == null ? null : of(held, ContextOrder.work(context));
  }

  /** The order of the message in hand for {@code work}, or null if there is none. */
  static String forWork(Object work) {
    InHand held = inHand.get();
    return held == null ? null : of(held, work);
  }

  private static String of(InHand held, Object work) {
    if (held.work != work) {
      if (held.autoAck) {
        inHand.remove();
      }
      return null;
    }
    return held.id;
  }

  /** The signal's getter: the signal has no fields for a propagator to read. */
  static final class NoFields implements TextMapGetter<Object[]> {
    static final NoFields INSTANCE = new NoFields();

    @Override
    public Iterable<String> keys(Object[] carrier) {
      return Collections.<String>emptyList();
    }

    @Override
    public String get(Object[] carrier, String key) {
      return null;
    }
  }

  /** The message in hand: its order, channel (by identity), delivery tag and the work that pulled it. */
  static final class InHand {
    final String id;
    final Object channel;
    final long tag;
    final boolean autoAck;
    final Object work;

    InHand(String id, Object channel, long tag, boolean autoAck, Object work) {
      this.id = id;
      this.channel = channel;
      this.tag = tag;
      this.autoAck = autoAck;
      this.work = work;
    }
  }
}
