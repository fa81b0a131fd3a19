package dev.loupe.agent.loss;

import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.trace.SpanProcessor;

/** The loss sentinels' SDK side: the reporter and what feeds it. */
public final class LossSentinels {

  private final LossReporter reporter = new LossReporter();

  public SpanProcessor spanProcessor() {
    return reporter;
  }

  public LogRecordProcessor logProcessor() {
    return new ErrorLogMarker(reporter);
  }
}
