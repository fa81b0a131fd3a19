package dev.loupe.agent.redact;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one point where telemetry leaves the JVM: every exporter the agent configures is wrapped so what
 * it sends is redacted first. If the settings are bad, or redaction itself fails, the gate closes and
 * nothing more is exported — never anything unredacted — with one clear error.
 */
public final class Exporting {

  private static final Logger log = Logger.getLogger("dev.loupe.agent");

  private final RedactionSettings settings;
  private volatile Redactor redactor;
  private volatile boolean failed;
  private final dev.loupe.agent.Guard guard = dev.loupe.agent.Guard.named("redaction");

  public Exporting(RedactionSettings settings) {
    this.settings = settings;
    this.redactor = settings.redactor();
    if (settings.closed()) {
      log.log(Level.SEVERE, "Loupe: invalid redaction setting " + String.join("; ", settings.problems())
          + ". Nothing is exported (traces, metrics, logs) until it is fixed: what it was meant to protect cannot be known.");
    }
  }

  /** Whether exporters are wrapped at all: not when redaction is explicitly off. */
  public boolean active() {
    return settings.enabled() || settings.closed();
  }

  /** The redactor; null once closed. */
  Redactor redactor() {
    Redactor r = redactor;
    if (r != null) {
      try {
        guard.on();
      } catch (RuntimeException e) {
        fail("telemetry", e);
        return null;
      }
    }
    return redactor;
  }

  /** Closes the gate for good after a failure of redaction. */
  void fail(String signal, Throwable e) {
    redactor = null;
    if (!failed) {
      failed = true;
      log.log(Level.SEVERE, "Loupe: redaction failed while exporting " + signal
          + "; nothing more is exported from this JVM, rather than anything unredacted", e);
    }
  }

  /**
   * Each item redacted by {@code one}, for an exporter to send; null if nothing may be sent — the gate is
   * closed, or redacting failed now and closed it.
   */
  <T> List<T> redactAll(Collection<T> items, String signal, BiFunction<T, Redactor, T> one) {
    Redactor r = redactor();
    if (r == null) {
      return null;
    }
    try {
      List<T> out = new ArrayList<>(items.size());
      for (T item : items) {
        out.add(one.apply(item, r));
      }
      return out;
    } catch (RuntimeException | LinkageError e) {
      fail(signal, e);
      return null;
    }
  }

  public SpanExporter spans(SpanExporter delegate) {
    return new RedactingSpanExporter(delegate, this);
  }

  public LogRecordExporter logs(LogRecordExporter delegate) {
    return new RedactingLogRecordExporter(delegate, this);
  }

  public MetricExporter metrics(MetricExporter delegate) {
    return new RedactingMetricExporter(delegate, this);
  }

  /** The resource every signal carries (also what a Prometheus endpoint shows as {@code target_info}). */
  public Resource resource(Resource resource) {
    Redactor r = redactor;
    if (r == null) {
      // closed: keep only what names the service
      return Resource.create(resource.getAttributes().toBuilder()
          .removeIf(k -> !k.getKey().startsWith("service.") && !k.getKey().startsWith("telemetry.sdk.")).build(),
          resource.getSchemaUrl());
    }
    try {
      return redactResource(resource, r);
    } catch (RuntimeException | LinkageError e) {
      fail("the resource", e);
      return resource(resource);
    }
  }

  /** One entry: every record of a JVM carries the same resource. */
  private volatile Resource[] lastResource = {null, null};

  Resource redactResource(Resource resource, Redactor r) {
    Resource[] last = lastResource;
    if (last[0] == resource) {
      return last[1];
    }
    Attributes a = r.redact(resource.getAttributes());
    Resource out = a == resource.getAttributes() ? resource : Resource.create(a, resource.getSchemaUrl());
    lastResource = new Resource[] {resource, out};
    return out;
  }
}
