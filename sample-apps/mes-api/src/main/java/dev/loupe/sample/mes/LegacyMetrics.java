package dev.loupe.sample.mes;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The business metrics MES has always exposed on {@code /metrics}, with the Prometheus simpleclient. */
final class LegacyMetrics {

  private static final Logger log = LoggerFactory.getLogger(LegacyMetrics.class);

  private final CollectorRegistry registry = new CollectorRegistry();
  private final Counter calculations = Counter.build("mes_calculations_total",
      "Price calculations finished, by outcome.").labelNames("outcome").register(registry);
  private final Counter orderMessages = Counter.build("mes_order_messages_total",
      "Confirmed-order messages taken off the intake queue, by outcome.").labelNames("outcome").register(registry);

  void calculation(String outcome) {
    calculations.labels(outcome).inc();
  }

  void orderMessage(String outcome) {
    orderMessages.labels(outcome).inc();
  }

  /** Registers the gauges read at scrape time. */
  void watch(IntSupplier queued, IntSupplier running, OrderBook orders) {
    new Collector() {
      @Override
      public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples> out = new ArrayList<>();
        out.add(new GaugeMetricFamily("mes_calculation_queue_size",
            "Orders waiting for a price calculation worker.", queued.getAsInt()));
        out.add(new GaugeMetricFamily("mes_calculations_running",
            "Price calculations in progress.", running.getAsInt()));
        GaugeMetricFamily byStatus = new GaugeMetricFamily("mes_orders",
            "Orders in the MES DB, by status.", List.of("status"));
        try {
          for (Map.Entry<String, Long> e : orders.countByStatus().entrySet()) {
            byStatus.addMetric(List.of(e.getKey()), e.getValue());
          }
          out.add(byStatus);
        } catch (SQLException | RuntimeException e) {
          log.warn("Orders by status are missing from this scrape: {}", e.getMessage());
        }
        return out;
      }
    }.register(registry);
  }

  String scrape() throws IOException {
    StringWriter out = new StringWriter();
    TextFormat.write004(out, registry.metricFamilySamples());
    return out.toString();
  }
}
