package dev.loupe.agent;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.internal.ExtendedSpanProcessor;
import java.util.Collection;

/**
 * The boundary around each extension component that runs on the application's threads. Nothing a
 * component throws gets past it: the first failure switches the component off for the life of the JVM
 * with one SEVERE log line naming it ({@link Guard}), and the application carries on exactly as
 * without it.
 */
public final class Contained {

  private final Guard guard;

  private Contained(Guard guard) {
    this.guard = guard;
  }

  boolean on() {
    return guard.on();
  }

  void failed(Throwable e) {
    guard.failed(e);
  }

  static SpanProcessor spans(String name, SpanProcessor delegate) {
    return new Spans(new Contained(Guard.named(name)), delegate);
  }

  static LogRecordProcessor logs(String name, LogRecordProcessor delegate) {
    return new Logs(new Contained(Guard.named(name)), delegate);
  }

  /** On failure the configured propagators carry on alone. */
  static TextMapPropagator propagator(String name, TextMapPropagator delegate, TextMapPropagator configured) {
    return new Propagator(new Contained(Guard.named(name)), delegate, configured);
  }

  private static final class Spans implements ExtendedSpanProcessor {
    private final Contained c;
    private final SpanProcessor delegate;
    private final ExtendedSpanProcessor extended;

    Spans(Contained c, SpanProcessor delegate) {
      this.c = c;
      this.delegate = delegate;
      this.extended = delegate instanceof ExtendedSpanProcessor ? (ExtendedSpanProcessor) delegate : null;
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
      try {
        if (c.on()) {
          delegate.onStart(parentContext, span);
        }
      } catch (Throwable e) {
        c.failed(e);
      }
    }

    @Override
    public boolean isStartRequired() {
      return delegate.isStartRequired();
    }

    @Override
    public void onEnding(ReadWriteSpan span) {
      try {
        if (extended != null && c.on()) {
          extended.onEnding(span);
        }
      } catch (Throwable e) {
        c.failed(e);
      }
    }

    @Override
    public boolean isOnEndingRequired() {
      return extended != null && extended.isOnEndingRequired();
    }

    @Override
    public void onEnd(ReadableSpan span) {
      try {
        if (c.on()) {
          delegate.onEnd(span);
        }
      } catch (Throwable e) {
        c.failed(e);
      }
    }

    @Override
    public boolean isEndRequired() {
      return delegate.isEndRequired();
    }

    @Override
    public CompletableResultCode shutdown() {
      return delegate.shutdown();
    }

    @Override
    public CompletableResultCode forceFlush() {
      return delegate.forceFlush();
    }
  }

  private static final class Logs implements LogRecordProcessor {
    private final Contained c;
    private final LogRecordProcessor delegate;

    Logs(Contained c, LogRecordProcessor delegate) {
      this.c = c;
      this.delegate = delegate;
    }

    @Override
    public void onEmit(Context context, ReadWriteLogRecord logRecord) {
      try {
        if (c.on()) {
          delegate.onEmit(context, logRecord);
        }
      } catch (Throwable e) {
        c.failed(e);
      }
    }

    @Override
    public CompletableResultCode shutdown() {
      return delegate.shutdown();
    }

    @Override
    public CompletableResultCode forceFlush() {
      return delegate.forceFlush();
    }
  }

  private static final class Propagator implements TextMapPropagator {
    private final Contained c;
    private final TextMapPropagator delegate;
    private final TextMapPropagator configured;

    Propagator(Contained c, TextMapPropagator delegate, TextMapPropagator configured) {
      this.c = c;
      this.delegate = delegate;
      this.configured = configured;
    }

    @Override
    public Collection<String> fields() {
      return configured.fields();
    }

    @Override
    public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
      try {
        if (c.on()) {
          delegate.inject(context, carrier, setter);
          return;
        }
      } catch (Throwable e) {
        c.failed(e);
      }
      configured.inject(context, carrier, setter);
    }

    @Override
    public <C> Context extract(Context context, C carrier, TextMapGetter<C> getter) {
      try {
        if (c.on()) {
          return delegate.extract(context, carrier, getter);
        }
      } catch (Throwable e) {
        c.failed(e);
      }
      return configured.extract(context, carrier, getter);
    }
  }
}
