package dev.loupe.agent.order.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import dev.loupe.agent.Guard;
import dev.loupe.agent.loss.rabbit.RabbitLoss;
import dev.loupe.agent.order.mdc.ContextOrder;
import dev.loupe.agent.order.mdc.PulledOrder;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.util.Map;

/**
 * Runs inside the application's class loader, called by {@link PulledMessageInstrumentationModule}'s
 * advice: the order of a message pulled with {@code basicGet}, from the baggage in its headers (what the
 * agent's instrumentation of the publisher wrote) or else the configured JSON field of its body
 * ({@link AmqpBodyOrderId}), held as the thread's {@link PulledOrder} until the message is settled.
 * Every entry point swallows its own failures ({@link Guard}).
 */
public final class PulledMessages {

  private static final Guard guard = Guard.named("order id of pulled messages");
  private static final String BAGGAGE_HEADER = "baggage";

  private PulledMessages() {}

  /**
   * After {@code channel.basicGet(queue, autoAck)} returned {@code response} (null: the queue was empty,
   * or the call threw): its order is the thread's message in hand, and goes on the span the agent made
   * current for the call if that span has none.
   */
  public static void pulled(Object channel, boolean autoAck, GetResponse response) {
    try {
      if (!guard.on()) {
        return;
      }
      String id = response == null ? null : orderOf(response);
      Context current = Context.current();
      PulledOrder.pulled(channel, id == null ? 0 : response.getEnvelope().getDeliveryTag(), autoAck, id,
          ContextOrder.work(current));
      if (id != null) {
        Span span = Span.fromContext(current);
        if (span.isRecording() && ContextOrder.of(current) == null) {
          span.setAttribute(ContextOrder.ORDER_ID, id);
        }
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  /** After {@code channel} settled delivery {@code tag} ({@code multiple}: all up to it) without throwing. */
  public static void settled(Object channel, long tag, boolean multiple, Throwable thrown) {
    try {
      if (thrown == null && guard.on()) {
        PulledOrder.settled(channel, tag, multiple);
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  /**
   * The order a pulled message names: the {@code order.id} baggage entry of its headers, else the
   * configured body field; null if neither. Throws nothing of its own; callers guard it.
   */
  public static String orderOf(GetResponse response) {
    AMQP.BasicProperties properties = response.getProps();
    Map<String, Object> headers = properties == null ? null : properties.getHeaders();
    if (headers != null && headers.get(BAGGAGE_HEADER) != null) {
      Context sent = GlobalOpenTelemetry.getPropagators().getTextMapPropagator()
          .extract(Context.root(), headers, RabbitLoss.Headers.INSTANCE);
      String id = Baggage.fromContext(sent).getEntryValue(ContextOrder.ORDER_ID);
      if (id != null) {
        return id;
      }
    }
    return AmqpBodyOrderId.fromBody(response.getBody());
  }
}
