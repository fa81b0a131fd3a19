package dev.loupe.agent.loss;

import dev.loupe.agent.loss.rabbit.RabbitLoss;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * The loss sentinels' SDK side: the reporter and what feeds it; the sentinels' settings
 * ({@link MessagingSettings}) are handed to the RabbitMQ instrumentation through internal system properties.
 */
public final class LossSentinels {

  private LossReporter reporter;

  /** Hands the settings to the instrumentation and builds the reporter. */
  public void configure(MessagingSettings settings) {
    System.setProperty(RabbitLoss.DETECT_UNROUTABLE_HANDOFF, Boolean.toString(settings.detectUnroutable()));
    System.setProperty(RabbitLoss.DEAD_LETTER_QUEUES_HANDOFF, settings.deadLetterQueues());
    System.setProperty(RabbitLoss.TRACKED_HANDOFF, Integer.toString(settings.trackedPerChannel()));
    reporter = new LossReporter(settings.maxDestinations());
  }

  /** Built by {@link #configure}. */
  public SpanProcessor spanProcessor() {
    return reporter;
  }

  /** Built by {@link #configure}. */
  public LogRecordProcessor logProcessor() {
    return new ErrorLogMarker(reporter);
  }
}
