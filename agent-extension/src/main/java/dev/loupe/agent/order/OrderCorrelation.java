package dev.loupe.agent.order;

import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.stream.Collectors;

/** Order correlation's parts, built from its settings. */
public final class OrderCorrelation {

  /**
   * The parsed legacy-method specs, handed to the instrumentation and its helpers, which are loaded
   * before and apart from the SDK's configuration; not a setting.
   */
  public static final String METHODS_HANDOFF = "loupe.internal.order-id.methods";
  public static final String PATTERN_HANDOFF = "loupe.internal.order-id.pattern";
  public static final String OPERATIONS_HANDOFF = "loupe.internal.operations";
  public static final String STAGES_HANDOFF = "loupe.internal.order-stages";

  private final OrderIdSettings settings;

  public OrderCorrelation(OrderIdSettings settings) {
    this.settings = settings;
    if (settings.enabled()) {
      System.setProperty(METHODS_HANDOFF, settings.methods().stream().map(Object::toString).collect(Collectors.joining(";")));
      System.setProperty(PATTERN_HANDOFF, settings.accepted().pattern());
      System.setProperty(OPERATIONS_HANDOFF, Operation.handoff(settings.operations()));
      System.setProperty(STAGES_HANDOFF, Stage.handoff(settings.stages()));
      System.setProperty(dev.loupe.agent.order.amqp.AmqpBodyOrderId.FIELDS_HANDOFF, String.join(",", settings.amqpBodyFields()));
      System.setProperty(dev.loupe.agent.order.amqp.AmqpBodyOrderId.MAX_BYTES_HANDOFF, Integer.toString(settings.amqpBodyMaxBytes()));
    }
  }

  public OrderIdSettings settings() {
    return settings;
  }

  public SpanProcessor spanProcessor() {
    return new OrderSpanProcessor(settings);
  }

  public LogRecordProcessor logProcessor() {
    return new OrderLogProcessor();
  }

  public TextMapPropagator propagator(TextMapPropagator configured) {
    return new OrderPropagator(configured, settings);
  }
}
