package dev.loupe.agent.loss;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.instrumentation.api.instrumenter.LocalRootSpan;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;
import io.opentelemetry.sdk.trace.ReadableSpan;

/**
 * Notices an ERROR logged inside a request or a watched operation, with its exception or without one
 * ({@code log.error("reservation failed: " + e.getMessage())} swallows just the same), and tells the
 * {@link LossReporter} which request or operation it was logged in: the current span if it is one, else
 * the request's local root server span (an ERROR logged inside a span the request started, such as a
 * legacy method's).
 */
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
      ReadableSpan span = requestOrOperation(context);
      if (span != null) {
        reporter.errorLoggedIn(span, logRecord.getAttribute(EXCEPTION_TYPE));
      }
    } catch (RuntimeException e) {
      // the log record goes on unexamined
    }
  }

  private static ReadableSpan requestOrOperation(Context context) {
    Span current = Span.fromContext(context);
    if (current instanceof ReadableSpan) {
      ReadableSpan span = (ReadableSpan) current;
      if (span.getKind() == SpanKind.SERVER || span.getAttribute(LossReporter.OPERATION) != null) {
        return span;
      }
    }
    Span root = LocalRootSpan.fromContextOrNull(context);
    return root instanceof ReadableSpan && ((ReadableSpan) root).getKind() == SpanKind.SERVER ? (ReadableSpan) root : null;
  }
}
