package dev.loupe.agent.redact;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Redacts span names, attributes, events, links, status messages and resources on their way out. */
final class RedactingSpanExporter implements SpanExporter {

  private final SpanExporter delegate;
  private final Exporting exporting;

  RedactingSpanExporter(SpanExporter delegate, Exporting exporting) {
    this.delegate = delegate;
    this.exporting = exporting;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    List<SpanData> out = exporting.redactAll(spans, "spans", (span, r) -> new Redacted(span, r, exporting));
    return out == null ? CompletableResultCode.ofSuccess() : delegate.export(out);
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
    return "RedactingSpanExporter{" + delegate + "}";
  }

  /** Redacted eagerly, so a failure shows here and not inside the delegate's serialisation. */
  private static final class Redacted extends DelegatingSpanData {
    private final String name;
    private final Attributes attributes;
    private final List<EventData> events;
    private final List<LinkData> links;
    private final StatusData status;
    private final Resource resource;

    Redacted(SpanData span, Redactor r, Exporting exporting) {
      super(span);
      this.name = r.redact(span.getName());
      this.attributes = r.redact(span.getAttributes(), span.getKind());
      List<EventData> events = span.getEvents();
      List<EventData> redactedEvents = new ArrayList<>(events.size());
      for (EventData e : events) {
        Attributes a = r.redact(e.getAttributes());
        String n = r.redact(e.getName());
        redactedEvents.add(a == e.getAttributes() && n == e.getName() ? e
            : EventData.create(e.getEpochNanos(), n, a, e.getTotalAttributeCount()));
      }
      this.events = redactedEvents;
      List<LinkData> links = span.getLinks();
      List<LinkData> redactedLinks = new ArrayList<>(links.size());
      for (LinkData l : links) {
        Attributes a = r.redact(l.getAttributes());
        redactedLinks.add(a == l.getAttributes() ? l : LinkData.create(l.getSpanContext(), a, l.getTotalAttributeCount()));
      }
      this.links = redactedLinks;
      StatusData s = span.getStatus();
      String description = r.redact(s.getDescription());
      this.status = description == s.getDescription() ? s : StatusData.create(s.getStatusCode(), description);
      this.resource = exporting.redactResource(span.getResource(), r);
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public Attributes getAttributes() {
      return attributes;
    }

    @Override
    public List<EventData> getEvents() {
      return events;
    }

    @Override
    public List<LinkData> getLinks() {
      return links;
    }

    @Override
    public StatusData getStatus() {
      return status;
    }

    @Override
    public Resource getResource() {
      return resource;
    }
  }
}
