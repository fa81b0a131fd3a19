package dev.loupe.reconciler;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;

/**
 * What the reconciler tells Prometheus, in its own registry: the last complete list's counts by stage
 * and when it was made. A failed run changes neither, so a stale timestamp is how a failing reconciler
 * shows (the alert LostOrderListStale).
 */
final class ReconcilerMetrics {

  final CollectorRegistry registry = new CollectorRegistry();
  private final Gauge unaccounted = Gauge.build("loupe_orders_unaccounted",
          "Orders placed in the window that have not reached the stage they should have by now, by last stage")
      .labelNames("stage").register(registry);
  private final Gauge lastSuccess = Gauge.build("loupe_reconciler_last_success_timestamp_seconds",
      "When the last complete lost-order list was made, in seconds since the epoch").register(registry);
  private final Gauge checked = Gauge.build("loupe_reconciler_orders_checked",
      "Orders placed in the window of the last complete run").register(registry);
  private final Gauge duration = Gauge.build("loupe_reconciler_duration_seconds",
      "How long the last complete run took to read both databases").register(registry);
  private final Counter runs = Counter.build("loupe_reconciler_runs_total",
      "Runs since the process started, by outcome (complete or failed)").labelNames("outcome").register(registry);

  /**
   * Records a complete run's list: its counts, size, duration and time.
   *
   * @return what puts the previous run's values back, should its list not reach its place after all
   */
  Runnable completed(Reconciliation.Result result) {
    java.util.Map<Stage, Double> previousCounts = new java.util.EnumMap<>(Stage.class);
    result.unaccounted().keySet().forEach(stage -> previousCounts.put(stage, unaccounted.labels(stage.id()).get()));
    double previousChecked = checked.get();
    double previousDuration = duration.get();
    double previousSuccess = lastSuccess.get();
    result.unaccounted().forEach((stage, n) -> unaccounted.labels(stage.id()).set(n));
    checked.set(result.checked());
    duration.set(result.took().toNanos() / 1e9);
    lastSuccess.set(result.at().toEpochMilli() / 1000.0);
    return () -> {
      previousCounts.forEach((stage, n) -> unaccounted.labels(stage.id()).set(n));
      checked.set(previousChecked);
      duration.set(previousDuration);
      lastSuccess.set(previousSuccess);
    };
  }

  /** Counts a run whose list is in place. */
  void counted() {
    runs.labels("complete").inc();
  }

  /** Records a failed run; the last complete run's values stay. */
  void failed() {
    runs.labels("failed").inc();
  }

  /**
   * The last complete list's metrics in the Prometheus text format (0.0.4), as the node exporter's
   * textfile collector reads them; without the run counter, which counts the runs of one process.
   */
  String exposition() {
    StringWriter w = new StringWriter();
    try {
      TextFormat.write004(w, registry.filteredMetricFamilySamples(java.util.Set.of("loupe_orders_unaccounted",
          "loupe_reconciler_last_success_timestamp_seconds", "loupe_reconciler_orders_checked",
          "loupe_reconciler_duration_seconds")));
    } catch (IOException e) {
      throw new IllegalStateException("a StringWriter does not fail", e);
    }
    return w.toString();
  }
}
