package dev.loupe.agent.loss.rabbit;

import dev.loupe.agent.Guard;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.impl.ChannelN;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.lang.reflect.Field;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Runs inside the application's class loader, called by the RabbitMQ advice: marks the span where an
 * order message was lost with {@code loupe.loss.reason}; the SDK side reports it.
 */
public final class RabbitLoss {

  public static final String DETECT_UNROUTABLE_HANDOFF = "loupe.internal.messaging.detect-unroutable";
  private static final String REASON = "loupe.loss.reason";
  private static final Set<ChannelN> watched = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
  private static final Returns RETURNS = new Returns();
  /** The exchange of the message the current thread's consumer is handling. */
  private static final ThreadLocal<String> delivering = new ThreadLocal<>();

  private static final Guard guard = Guard.named("RabbitMQ loss sentinels");

  public static void delivering(String exchange) {
    try {
      if (guard.on()) {
        deliveringUnguarded(exchange);
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  public static void delivered() {
    try {
      if (guard.on()) {
        deliveredUnguarded();
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  public static void settled(boolean requeue) {
    try {
      if (guard.on()) {
        settledUnguarded(requeue);
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  public static void consumerFailed(Throwable thrown) {
    try {
      if (guard.on()) {
        consumerFailedUnguarded(thrown);
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  /** On any failure the application's own mandatory flag stands. */
  public static boolean publishing(ChannelN channel, boolean mandatory) {
    try {
      return guard.on() ? publishingUnguarded(channel, mandatory) : mandatory;
    } catch (Throwable e) {
      guard.failed(e);
      return mandatory;
    }
  }

  public static void sending(ChannelN channel, String exchange) {
    try {
      if (guard.on()) {
        sendingUnguarded(channel, exchange);
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  private RabbitLoss() {}

  /** A consumer starts handling a message from {@code exchange}. */
  private static void deliveringUnguarded(String exchange) {
    delivering.set(exchange == null || exchange.isEmpty() ? "amq.default" : exchange);
  }

  /** The consumer is done with it. */
  private static void deliveredUnguarded() {
    delivering.remove();
  }

  /**
   * {@code basicReject} or {@code basicNack}: without requeue, and no dead-letter exchange, the message
   * is gone. The agent's span of the command carries the order; it is given the message's exchange.
   */
  private static void settledUnguarded(boolean requeue) {
    if (!requeue) {
      String exchange = delivering.get();
      if (exchange != null) {
        Span.current().setAttribute("messaging.destination.name", exchange);
      }
      mark("rejected");
    }
  }

  /** A consumer's {@code handleDelivery} threw: whatever it had taken off the queue is lost. */
  private static void consumerFailedUnguarded(Throwable thrown) {
    if (thrown != null) {
      mark("consumer_failed");
    }
  }

  /**
   * Before a publish: the {@code mandatory} flag to publish with. A mandatory publish is always
   * watched for returns. A non-mandatory one is made mandatory only with the opt-in setting, and only
   * on a channel without return listeners of the application's, which would otherwise see returns it
   * never asked for; our own listener tells nobody but the telemetry.
   */
  private static boolean publishingUnguarded(ChannelN channel, boolean mandatory) {
    if (mandatory) {
      watch(channel);
      return true;
    }
    if (!Boolean.getBoolean(DETECT_UNROUTABLE_HANDOFF) || applicationListens(channel)) {
      return false;
    }
    watch(channel);
    return true;
  }

  private static void mark(String reason) {
    Span span = Span.current();
    if (span.getSpanContext().isValid()) {
      span.setAttribute(REASON, reason);
    }
  }

  private static void watch(ChannelN channel) {
    if (watched.add(channel)) {
      channel.addReturnListener(RETURNS);
    }
  }

  private static boolean applicationListens(ChannelN channel) {
    try {
      Field f = ChannelN.class.getDeclaredField("returnListeners");
      f.setAccessible(true);
      for (Object listener : (Collection<?>) f.get(channel)) {
        if (listener != RETURNS) {
          return true;
        }
      }
      return false;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return true; // cannot tell: leave the publish as the application made it
    }
  }

  /**
   * Before a publish on a channel with publisher confirms: remembers which order the message carries,
   * so that a nack for it can name the order.
   */
  private static void sendingUnguarded(ChannelN channel, String exchange) {
    long sequence = channel.getNextPublishSeqNo();
    if (sequence <= 0) {
      return;
    }
    Confirms confirms;
    synchronized (awaitingConfirm) {
      confirms = awaitingConfirm.get(channel);
      if (confirms == null) {
        confirms = new Confirms();
        awaitingConfirm.put(channel, confirms);
        channel.addConfirmListener(confirms);
      }
    }
    String destination = exchange == null || exchange.isEmpty() ? "amq.default" : exchange;
    confirms.sent.put(sequence, new Object[] {Context.current(), destination});
  }

  private static final Map<ChannelN, Confirms> awaitingConfirm = new WeakHashMap<>();

  /** The broker's confirms: acks forget, nacks report the order's message as lost. */
  public static final class Confirms implements com.rabbitmq.client.ConfirmListener {
    final java.util.concurrent.ConcurrentSkipListMap<Long, Object[]> sent = new java.util.concurrent.ConcurrentSkipListMap<>();

    @Override
    public void handleAck(long deliveryTag, boolean multiple) {
      settle(deliveryTag, multiple);
    }

    @Override
    public void handleNack(long deliveryTag, boolean multiple) {
      for (Object[] message : settle(deliveryTag, multiple)) {
        try {
          String destination = (String) message[1];
          GlobalOpenTelemetry.getTracer("dev.loupe.agent").spanBuilder(destination + " nacked")
              .setParent((Context) message[0])
              .setAttribute("messaging.system", "rabbitmq")
              .setAttribute("messaging.destination.name", destination)
              .setAttribute(REASON, "publish_nacked")
              .startSpan()
              .end();
        } catch (RuntimeException e) {
          // the nack is the broker's news, not the application's problem
        }
      }
    }

    private Collection<Object[]> settle(long deliveryTag, boolean multiple) {
      if (!multiple) {
        Object[] one = sent.remove(deliveryTag);
        return one == null ? java.util.List.of() : java.util.List.<Object[]>of(one);
      }
      var settled = sent.headMap(deliveryTag, true);
      java.util.List<Object[]> out = new java.util.ArrayList<>(settled.values());
      settled.clear();
      return out;
    }
  }

  /** A message the broker could not route, returned to us: a span in the order's trace says so. */
  public static final class Returns implements ReturnListener {
    private static final TextMapGetter<Map<String, Object>> HEADERS = new TextMapGetter<>() {
      @Override
      public Iterable<String> keys(Map<String, Object> carrier) {
        return carrier == null ? Collections.emptyList() : carrier.keySet();
      }

      @Override
      public String get(Map<String, Object> carrier, String key) {
        Object value = carrier == null ? null : carrier.get(key);
        return value == null ? null : value.toString();
      }
    };

    @Override
    public void handleReturn(int replyCode, String replyText, String exchange, String routingKey,
        AMQP.BasicProperties properties, byte[] body) {
      try {
        Context sent = GlobalOpenTelemetry.getPropagators().getTextMapPropagator()
            .extract(Context.root(), properties == null ? null : properties.getHeaders(), HEADERS);
        String destination = exchange == null || exchange.isEmpty() ? "amq.default" : exchange;
        GlobalOpenTelemetry.getTracer("dev.loupe.agent").spanBuilder(destination + " returned")
            .setParent(sent)
            .setAttribute("messaging.system", "rabbitmq")
            .setAttribute("messaging.destination.name", destination)
            .setAttribute("messaging.rabbitmq.destination.routing_key", routingKey)
            .setAttribute("messaging.rabbitmq.return.reply_code", (long) replyCode)
            .setAttribute(REASON, "unroutable")
            .startSpan()
            .end();
      } catch (RuntimeException e) {
        // the return is the broker's news, not the application's problem
      }
    }
  }
}
