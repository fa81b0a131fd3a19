package dev.loupe.drills;

import dev.loupe.sample.stack.Service;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The flags that attach the OpenTelemetry Java agent with the Loupe extension to a service and send
 * its traces, logs and metrics over OTLP/HTTP to a Collector: the production path. Nothing else of the
 * service changes.
 */
public final class Agents {

  private Agents() {}

  /**
   * The JVM options for {@code service}: the agent, the extension, the service's settings file from
   * {@code agent-extension/config/}, OTLP to {@code collector}, with short export intervals (metrics
   * every 5 s, spans and logs every 500 ms) so the drills see the effect of a fault within seconds;
   * then {@code extra}.
   */
  public static List<String> otlp(Path agent, Path extension, Path repository, Service service, URI collector,
      List<String> extra) {
    List<String> o = new ArrayList<>();
    o.add("-javaagent:" + agent);
    o.add("-Dotel.javaagent.extensions=" + extension);
    o.add("-Dotel.javaagent.configuration-file="
        + repository.resolve("agent-extension/config/" + service.id() + ".properties"));
    o.add("-Dotel.resource.attributes=service.namespace=jewelry,deployment.environment.name=drill");
    o.add("-Dotel.exporter.otlp.endpoint=" + collector);
    o.add("-Dotel.exporter.otlp.protocol=http/protobuf");
    o.add("-Dotel.traces.exporter=otlp");
    o.add("-Dotel.logs.exporter=otlp");
    o.add("-Dotel.metrics.exporter=otlp");
    o.add("-Dotel.metric.export.interval=5000");
    o.add("-Dotel.bsp.schedule.delay=500");
    o.add("-Dotel.blrp.schedule.delay=500");
    o.addAll(extra);
    return o;
  }

  /**
   * The JVM options for {@code service} on the direct path of {@code docs/label-contract.md}: the agent,
   * the extension and the service's settings file as in {@link #otlp}, the metrics on the agent's own
   * Prometheus endpoint at {@code 127.0.0.1:metricsPort} (for a Prometheus to scrape), traces and logs
   * not exported (no Collector to take them); {@code environment} is {@code deployment.environment.name}.
   */
  public static List<String> direct(Path agent, Path extension, Path repository, Service service, int metricsPort,
      String environment) {
    List<String> o = new ArrayList<>();
    o.add("-javaagent:" + agent);
    o.add("-Dotel.javaagent.extensions=" + extension);
    o.add("-Dotel.javaagent.configuration-file="
        + repository.resolve("agent-extension/config/" + service.id() + ".properties"));
    o.add("-Dotel.resource.attributes=service.namespace=jewelry,deployment.environment.name=" + environment);
    o.add("-Dotel.traces.exporter=none");
    o.add("-Dotel.logs.exporter=none");
    o.add("-Dotel.metrics.exporter=prometheus");
    // the exporter binds 0.0.0.0 unless told otherwise
    o.add("-Dotel.exporter.prometheus.host=127.0.0.1");
    o.add("-Dotel.exporter.prometheus.port=" + metricsPort);
    return o;
  }
}
