package dev.loupe.agent.loss;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;
import io.opentelemetry.sdk.trace.ReadableSpan;

/** Notices an exception logged at ERROR, and tells the {@link LossReporter} which span it was logged in. */
final class ErrorLogMarker implements LogRecordProcessor {

  private static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");

  private final LossReporter reporter;

  ErrorLogMarker(LossReporter reporter) {
    this.reporter = reporter;
  }

  @Override
  public void onEmit(Context context, ReadWriteLogRecord logRecord) {
    try {
      Severity severity = logRecord.getSeverity();
      if (severity == null || severity.getSeverityNumber() < Severity.ERROR.getSeverityNumber()) {
        return;
      }
      String type = logRecord.getAttribute(EXCEPTION_TYPE);
      Span span = Span.fromContext(context);
      if (type != null && span instanceof ReadableSpan) {
        reporter.errorLoggedIn((ReadableSpan) span, type);
      }
    } catch (RuntimeException e) {
      // the log record goes on unexamined
    }
  }
}
