package dev.loupe.agent.redact;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.KeyValue;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.common.ValueType;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.Body;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.resources.Resource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Redacts log bodies (string or structured), attributes and resources on their way out. */
final class RedactingLogRecordExporter implements LogRecordExporter {

  private final LogRecordExporter delegate;
  private final Exporting exporting;

  RedactingLogRecordExporter(LogRecordExporter delegate, Exporting exporting) {
    this.delegate = delegate;
    this.exporting = exporting;
  }

  @Override
  public CompletableResultCode export(Collection<LogRecordData> logs) {
    List<LogRecordData> out = exporting.redactAll(logs, "logs", (log, r) -> new Redacted(log, r.redact(log.getAttributes()),
        redact(log.getBodyValue(), r), exporting.redactResource(log.getResource(), r)));
    return out == null ? CompletableResultCode.ofSuccess() : delegate.export(out);
  }

  static Value<?> redact(Value<?> value, Redactor r) {
    if (value == null) {
      return null;
    }
    ValueType type = value.getType();
    if (type == ValueType.STRING) {
      String s = (String) value.getValue();
      String redacted = r.redact(s);
      return redacted == s ? value : Value.of(redacted);
    }
    if (type == ValueType.ARRAY) {
      @SuppressWarnings("unchecked")
      List<Value<?>> items = (List<Value<?>>) value.getValue();
      List<Value<?>> out = new ArrayList<>(items.size());
      for (Value<?> item : items) {
        out.add(redact(item, r));
      }
      return Value.of(out);
    }
    if (type == ValueType.KEY_VALUE_LIST) {
      @SuppressWarnings("unchecked")
      List<KeyValue> entries = (List<KeyValue>) value.getValue();
      KeyValue[] out = new KeyValue[entries.size()];
      for (int i = 0; i < out.length; i++) {
        KeyValue kv = entries.get(i);
        Value<?> v = kv.getValue();
        out[i] = KeyValue.of(kv.getKey(), v.getType() == ValueType.STRING
            ? Value.of(r.redact(kv.getKey(), (String) v.getValue())) : redact(v, r));
      }
      return Value.of(out);
    }
    if (type == ValueType.BYTES) {
      // opaque: it cannot be searched, so it is not sent
      return Value.of("[REDACTED:bytes]");
    }
    return value;
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }

  @Override
  public String toString() {
    return "RedactingLogRecordExporter{" + delegate + "}";
  }

  private static final class Redacted implements LogRecordData {
    private final LogRecordData log;
    private final Attributes attributes;
    private final Value<?> body;
    private final Resource resource;

    Redacted(LogRecordData log, Attributes attributes, Value<?> body, Resource resource) {
      this.log = log;
      this.attributes = attributes;
      this.body = body;
      this.resource = resource;
    }

    @Override
    public Resource getResource() {
      return resource;
    }

    @Override
    public InstrumentationScopeInfo getInstrumentationScopeInfo() {
      return log.getInstrumentationScopeInfo();
    }

    @Override
    public long getTimestampEpochNanos() {
      return log.getTimestampEpochNanos();
    }

    @Override
    public long getObservedTimestampEpochNanos() {
      return log.getObservedTimestampEpochNanos();
    }

    @Override
    public SpanContext getSpanContext() {
      return log.getSpanContext();
    }

    @Override
    public Severity getSeverity() {
      return log.getSeverity();
    }

    @Override
    public String getSeverityText() {
      return log.getSeverityText();
    }

    @Override
    @SuppressWarnings("deprecation")
    public Body getBody() {
      if (body == null) {
        return Body.empty();
      }
      return Body.string(body.asString());
    }

    @Override
    public Value<?> getBodyValue() {
      return body;
    }

    @Override
    public Attributes getAttributes() {
      return attributes;
    }

    @Override
    public int getTotalAttributeCount() {
      return log.getTotalAttributeCount();
    }

    /**
     * Overrides the agent's SDK's {@code LogRecordData.getEventName()}, newer than the SDK this is
     * compiled against; read reflectively so the event name is kept.
     */
    public String getEventName() {
      return EventNames.of(log);
    }
  }
}
