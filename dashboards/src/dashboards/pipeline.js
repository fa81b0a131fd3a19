// Telemetry pipeline: is Loupe itself seeing everything? The gateway Collector's own metrics (its
// service.telemetry, scraped as service="otel-collector"): what it accepts, refuses, drops and fails to
// send, and how full its export queues are. For on-call after TelemetryPipelineDown or DroppingData,
// and for the platform team sizing the Collector.
import { dashboard, graph } from '../panels.js';
import { alertPanel, alertsWithoutPointOpening } from './alerts.js';

const SIGNALS = [['spans', 'spans'], ['metric_points', 'metric points'], ['log_records', 'log records']];

export function build() {
  const d = dashboard('loupe-pipeline', 'Telemetry pipeline',
    'Is Loupe seeing everything? What the gateway Collector accepts, refuses, drops and fails to send, and how full '
    + 'its export queues are. For on-call when the pipeline alerts fire and for the platform team sizing it.');
  for (const a of alertsWithoutPointOpening('loupe-pipeline')) {
    d.withPanel(alertPanel(a));
  }
  for (const [signal, words] of SIGNALS) {
    d.withPanel(graph({
      title: `${words[0].toUpperCase()}${words.slice(1)}: accepted, refused, failed to send`,
      description: `The Collector's ${words} per second: accepted and refused by its receivers, refused by its processors `
        + '(the memory limiter), and failed to send or to enqueue by its exporters (these appear at the first failure).',
      queries: [
        { expr: `sum by (receiver) (rate(otelcol_receiver_accepted_${signal}_total[$__rate_interval]))`, legend: 'accepted {{receiver}}' },
        { expr: `sum by (receiver) (rate(otelcol_receiver_refused_${signal}_total[$__rate_interval]))`, legend: 'refused {{receiver}}' },
        // the memory limiter counts its own refusals (the generic otelcol_processor_refused_* are gone from the Collector)
        { expr: `sum by (processor) (rate(otelcol_processor_memory_limiter_refused_${signal}_total[$__rate_interval]))`, legend: 'refused {{processor}}' },
        { expr: `sum by (exporter) (rate(otelcol_exporter_send_failed_${signal}_total[$__rate_interval]))`, legend: 'send failed {{exporter}}' },
        { expr: `sum by (exporter) (rate(otelcol_exporter_enqueue_failed_${signal}_total[$__rate_interval]))`, legend: 'enqueue failed {{exporter}}' },
      ],
      width: 8,
    }));
  }
  return d
    .withPanel(graph({
      title: 'Export queues: size against capacity',
      description: 'Items waiting in each exporter\'s sending queue, as a share of its capacity; TelemetryPipelineDroppingData fires above 80 %.',
      queries: [{ expr: 'max by (exporter) (otelcol_exporter_queue_size / otelcol_exporter_queue_capacity)', legend: '{{exporter}}' }],
      unit: 'percentunit',
      threshold: 0.8,
    }))
    .withPanel(graph({
      title: 'Tail sampling: traces kept per second',
      description: 'Traces the tail-sampling processor decided to keep (otelcol_processor_tail_sampling_global_count_traces_sampled_total).',
      queries: [{ expr: 'sum by (sampled) (rate(otelcol_processor_tail_sampling_global_count_traces_sampled_total[$__rate_interval]))', legend: 'sampled={{sampled}}' }],
    }))
    .withPanel(graph({
      title: 'Collector memory',
      description: 'Resident memory and heap of the Collector process: the memory limiter refuses data near its limit.',
      queries: [
        { expr: 'max by (instance) (otelcol_process_memory_rss_bytes)', legend: 'RSS {{instance}}' },
        { expr: 'max by (instance) (otelcol_process_runtime_heap_alloc_bytes)', legend: 'heap {{instance}}' },
      ],
      unit: 'bytes',
    }))
    .withPanel(graph({
      title: 'Collector CPU',
      description: 'CPU cores the Collector uses (otelcol_process_cpu_seconds_total).',
      queries: [{ expr: 'sum by (instance) (rate(otelcol_process_cpu_seconds_total[$__rate_interval]))', legend: '{{instance}}' }],
    }));
}
