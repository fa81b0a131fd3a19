package dev.loupe.agent.loss.rabbit;

import dev.loupe.agent.loss.LossAttributes;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.context.Context;

/**
 * A span per message whose order may be lost, in that order's trace: the SDK's loss reporter turns
 * each into the {@code loupe.loss} event, the WARN log record and the count. Also names the place
 * of a loss the one way the metrics name it.
 */
final class LossSpans {

  private LossSpans() {}

  /**
   * Where a message published to {@code exchange} with {@code routingKey} was lost: the queue, for the
   * default exchange (whose routing key is the queue's name), else the exchange.
   */
  static String ofPublish(String exchange, String routingKey) {
    if (exchange == null || exchange.isEmpty()) {
      return routingKey == null || routingKey.isEmpty() ? LossAttributes.DEFAULT_EXCHANGE : ofQueue(routingKey);
    }
    return exchange;
  }

  /** The name a queue is reported under: its own, one value for all generated ones, {@code (unknown)} for none. */
  static String ofQueue(String queue) {
    if (queue == null || queue.isEmpty()) {
      return LossAttributes.UNKNOWN;
    }
    return queue.startsWith("amq.gen-") || queue.startsWith("spring.gen-") ? LossAttributes.GENERATED_QUEUE : queue;
  }

  /**
   * A loss span named {@code <destination> <what>} under {@code parent} (the current context if null),
   * for the caller to add detail to, start and end at once.
   */
  static SpanBuilder loss(Context parent, String destination, String what, String reason) {
    return GlobalOpenTelemetry.getTracer("dev.loupe.agent").spanBuilder(destination + " " + what)
        .setParent(parent == null ? Context.current() : parent)
        .setAttribute("messaging.system", "rabbitmq")
        .setAttribute("messaging.destination.name", destination)
        .setAttribute(LossAttributes.DESTINATION, destination)
        .setAttribute(LossAttributes.REASON, reason);
  }

  /** A loss span for a publish, in the publishing trace, named for where it was sent. */
  static SpanBuilder loss(ChannelLedger.Publish publish, String what, String reason) {
    return loss(publish.context, ofPublish(publish.exchange, publish.routingKey), what, reason)
        .setAttribute("messaging.rabbitmq.destination.routing_key", publish.routingKey);
  }

  static void report(Context parent, String destination, String what, String reason) {
    loss(parent, destination, what, reason).startSpan().end();
  }

  /** Marks the current span (a consumer's) with the loss, or, if there is none, reports it on a span of its own. */
  static void mark(String destination, String reason) {
    Span current = Span.current();
    if (current.getSpanContext().isValid()) {
      current.setAttribute(LossAttributes.DESTINATION, destination);
      current.setAttribute(LossAttributes.REASON, reason);
    } else {
      report(null, destination, "failed", reason);
    }
  }
}
