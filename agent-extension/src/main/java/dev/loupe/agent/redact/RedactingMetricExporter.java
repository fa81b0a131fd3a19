package dev.loupe.agent.redact;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.DoubleExemplarData;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.ExemplarData;
import io.opentelemetry.sdk.metrics.data.LongExemplarData;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramPointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.data.SumData;
import io.opentelemetry.sdk.metrics.data.SummaryPointData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableDoubleExemplarData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableDoublePointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableLongExemplarData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableExponentialHistogramData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableExponentialHistogramPointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableGaugeData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableHistogramData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableHistogramPointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableLongPointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableMetricData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableSumData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableSummaryData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableSummaryPointData;
import io.opentelemetry.sdk.resources.Resource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Redacts metric point attributes and resources on their way out. Metric attributes are meant to be
 * bounded and free of personal data, so a metric is rebuilt only if something in it had to be hidden.
 */
final class RedactingMetricExporter implements MetricExporter {

  private final MetricExporter delegate;
  private final Exporting exporting;

  RedactingMetricExporter(MetricExporter delegate, Exporting exporting) {
    this.delegate = delegate;
    this.exporting = exporting;
  }

  @Override
  public CompletableResultCode export(Collection<MetricData> metrics) {
    List<MetricData> out = exporting.redactAll(metrics, "metrics", (m, r) -> redact(m, r, exporting.redactResource(m.getResource(), r)));
    return out == null ? CompletableResultCode.ofSuccess() : delegate.export(out);
  }

  static MetricData redact(MetricData m, Redactor r, Resource resource) {
    boolean changed = resource != m.getResource();
    if (!changed) {
      for (PointData p : m.getData().getPoints()) {
        if (r.redact(p.getAttributes()) != p.getAttributes() || exemplarsChange(p, r)) {
          changed = true;
          break;
        }
      }
    }
    if (!changed) {
      return m;
    }
    InstrumentationScopeInfo scope = m.getInstrumentationScopeInfo();
    switch (m.getType()) {
      case LONG_GAUGE:
        return ImmutableMetricData.createLongGauge(resource, scope, m.getName(), m.getDescription(),
          m.getUnit(), ImmutableGaugeData.create(points(m.getLongGaugeData().getPoints(), r, RedactingMetricExporter::longPoint)));
      case DOUBLE_GAUGE:
        return ImmutableMetricData.createDoubleGauge(resource, scope, m.getName(), m.getDescription(),
          m.getUnit(), ImmutableGaugeData.create(points(m.getDoubleGaugeData().getPoints(), r, RedactingMetricExporter::doublePoint)));
      case LONG_SUM: {
        SumData<LongPointData> sum = m.getLongSumData();
        return ImmutableMetricData.createLongSum(resource, scope, m.getName(), m.getDescription(), m.getUnit(),
            ImmutableSumData.create(sum.isMonotonic(), sum.getAggregationTemporality(),
                points(sum.getPoints(), r, RedactingMetricExporter::longPoint)));
      }
      case DOUBLE_SUM: {
        SumData<DoublePointData> sum = m.getDoubleSumData();
        return ImmutableMetricData.createDoubleSum(resource, scope, m.getName(), m.getDescription(), m.getUnit(),
            ImmutableSumData.create(sum.isMonotonic(), sum.getAggregationTemporality(),
                points(sum.getPoints(), r, RedactingMetricExporter::doublePoint)));
      }
      case HISTOGRAM:
        return ImmutableMetricData.createDoubleHistogram(resource, scope, m.getName(), m.getDescription(),
          m.getUnit(), ImmutableHistogramData.create(m.getHistogramData().getAggregationTemporality(),
              points(m.getHistogramData().getPoints(), r, RedactingMetricExporter::histogramPoint)));
      case EXPONENTIAL_HISTOGRAM:
        return ImmutableMetricData.createExponentialHistogram(resource, scope, m.getName(),
          m.getDescription(), m.getUnit(), ImmutableExponentialHistogramData.create(
              m.getExponentialHistogramData().getAggregationTemporality(),
              points(m.getExponentialHistogramData().getPoints(), r, RedactingMetricExporter::exponentialPoint)));
      case SUMMARY:
        return ImmutableMetricData.createDoubleSummary(resource, scope, m.getName(), m.getDescription(),
          m.getUnit(), ImmutableSummaryData.create(points(m.getSummaryData().getPoints(), r, RedactingMetricExporter::summaryPoint)));
      default:
        // a kind of metric this build does not know could carry anything: it is not passed on unredacted
        throw new IllegalStateException("no redaction for metric type " + m.getType());
    }
  }

  /**
   * Exemplars carry the attributes of the measurement that the metric dropped: for a request-duration
   * histogram, the whole server span's attributes, captured headers and query string included.
   */
  private static boolean exemplarsChange(PointData p, Redactor r) {
    for (ExemplarData e : p.getExemplars()) {
      if (r.redact(e.getFilteredAttributes()) != e.getFilteredAttributes()) {
        return true;
      }
    }
    return false;
  }

  private static <P extends PointData> List<P> points(Collection<P> points, Redactor r, Copier<P> copy) {
    List<P> out = new ArrayList<>(points.size());
    for (P p : points) {
      Attributes a = r.redact(p.getAttributes());
      out.add(a == p.getAttributes() && !exemplarsChange(p, r) ? p : copy.copy(p, a, r));
    }
    return out;
  }

  private interface Copier<P> {
    P copy(P point, Attributes attributes, Redactor r);
  }

  private static List<DoubleExemplarData> doubleExemplars(List<DoubleExemplarData> exemplars, Redactor r) {
    List<DoubleExemplarData> out = new ArrayList<>(exemplars.size());
    for (DoubleExemplarData e : exemplars) {
      out.add(ImmutableDoubleExemplarData.create(r.redact(e.getFilteredAttributes()), e.getEpochNanos(),
          e.getSpanContext(), e.getValue()));
    }
    return out;
  }

  private static List<LongExemplarData> longExemplars(List<LongExemplarData> exemplars, Redactor r) {
    List<LongExemplarData> out = new ArrayList<>(exemplars.size());
    for (LongExemplarData e : exemplars) {
      out.add(ImmutableLongExemplarData.create(r.redact(e.getFilteredAttributes()), e.getEpochNanos(),
          e.getSpanContext(), e.getValue()));
    }
    return out;
  }

  private static LongPointData longPoint(LongPointData p, Attributes a, Redactor r) {
    return ImmutableLongPointData.create(p.getStartEpochNanos(), p.getEpochNanos(), a, p.getValue(),
        longExemplars(p.getExemplars(), r));
  }

  private static DoublePointData doublePoint(DoublePointData p, Attributes a, Redactor r) {
    return ImmutableDoublePointData.create(p.getStartEpochNanos(), p.getEpochNanos(), a, p.getValue(),
        doubleExemplars(p.getExemplars(), r));
  }

  private static HistogramPointData histogramPoint(HistogramPointData p, Attributes a, Redactor r) {
    return ImmutableHistogramPointData.create(p.getStartEpochNanos(), p.getEpochNanos(), a, p.getSum(), p.hasMin(),
        p.getMin(), p.hasMax(), p.getMax(), p.getBoundaries(), p.getCounts(), doubleExemplars(p.getExemplars(), r));
  }

  private static ExponentialHistogramPointData exponentialPoint(ExponentialHistogramPointData p, Attributes a, Redactor r) {
    return ImmutableExponentialHistogramPointData.create(p.getScale(), p.getSum(), p.getZeroCount(), p.hasMin(),
        p.getMin(), p.hasMax(), p.getMax(), p.getPositiveBuckets(), p.getNegativeBuckets(), p.getStartEpochNanos(),
        p.getEpochNanos(), a, doubleExemplars(p.getExemplars(), r));
  }

  private static SummaryPointData summaryPoint(SummaryPointData p, Attributes a, Redactor r) {
    return ImmutableSummaryPointData.create(p.getStartEpochNanos(), p.getEpochNanos(), a, p.getCount(), p.getSum(),
        p.getValues());
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return delegate.getAggregationTemporality(instrumentType);
  }

  @Override
  public Aggregation getDefaultAggregation(InstrumentType instrumentType) {
    return delegate.getDefaultAggregation(instrumentType);
  }

  @Override
  public MemoryMode getMemoryMode() {
    return delegate.getMemoryMode();
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
    return "RedactingMetricExporter{" + delegate + "}";
  }
}
