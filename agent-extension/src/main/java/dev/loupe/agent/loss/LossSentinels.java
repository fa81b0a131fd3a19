package dev.loupe.agent.loss;

import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.trace.SpanProcessor;

/** The loss sentinels' SDK side: the reporter and what feeds it; and the sentinels' one setting. */
public final class LossSentinels {

  /** Opt-in: learn of unroutable messages from publishers that do not set {@code mandatory}. */
  public static final String DETECT_UNROUTABLE = "loupe.messaging.detect-unroutable";

  private final LossReporter reporter = new LossReporter();

  /** Reads the setting, hands it to the instrumentation; returns the problem with it, or null. */
  public String configure(io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties config) {
    String value = config.getString(DETECT_UNROUTABLE);
    boolean on = value != null && value.trim().equalsIgnoreCase("true");
    System.setProperty(dev.loupe.agent.loss.rabbit.RabbitLoss.DETECT_UNROUTABLE_HANDOFF, Boolean.toString(on));
    if (value != null && !on && !value.trim().equalsIgnoreCase("false")) {
      return DETECT_UNROUTABLE + ": '" + value + "' is neither true nor false; unroutable detection stays off";
    }
    return null;
  }

  public String describe() {
    return "detect-unroutable=" + Boolean.getBoolean(dev.loupe.agent.loss.rabbit.RabbitLoss.DETECT_UNROUTABLE_HANDOFF);
  }

  public SpanProcessor spanProcessor() {
    return reporter;
  }

  public LogRecordProcessor logProcessor() {
    return new ErrorLogMarker(reporter);
  }
}
