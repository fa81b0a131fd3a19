package dev.loupe.drills;

import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Loupe's monitoring around a running {@link Stack}: a real Prometheus with {@code alert-rules/rules}
 * unchanged, a real Alertmanager with {@code alert-rules/alertmanager} unchanged, and a {@link Webhook}
 * that plays the pager ({@code /oncall}), the team channel ({@code /team}) and the dead man's switch
 * ({@code /deadmans}).
 *
 * <p>With a Collector binary the metrics take the production path — the agents export OTLP to the
 * gateway Collector with the shipped config, which remote-writes to Prometheus and sends traces and
 * logs to {@link OtlpSink}s standing in for Tempo and Loki. Without one, the direct path of {@code
 * docs/label-contract.md}: Prometheus scrapes each agent's Prometheus endpoint and the broker. The rules
 * are the same on both.
 *
 * <p>Use: {@link #prepare}, start the stack with {@link #jvmOptions}, then {@link #start(Stack)}.
 */
public final class Monitoring implements AutoCloseable {

  private final Path dir;
  private final Path collector;
  private final Path agent;
  private final Path extension;
  private final Path repository;
  private final String environment;
  private final Consumer<String> progress;
  private final List<AutoCloseable> started = new ArrayList<>();
  private final Webhook webhook;
  private final Alertmanager alertmanager;
  private final int prometheusPort = Tools.freePort();
  private final MetricsPorts agentPorts = new MetricsPorts();
  private OtlpSink tempo;
  private OtlpSink loki;
  private Gateway.Builder gatewaySettings;
  private Gateway gateway;
  private Prometheus prometheus;

  private Monitoring(Path dir, Path collector, Path agent, Path extension, Path repository, String environment,
      Consumer<String> progress) throws IOException, InterruptedException {
    this.dir = dir;
    this.collector = collector;
    this.agent = agent;
    this.extension = extension;
    this.repository = repository;
    this.environment = environment;
    this.progress = progress;
    webhook = remember(new Webhook());
    alertmanager = remember(Alertmanager.start(dir.resolve("alertmanager"), Alertmanager.secretsFor(webhook),
        webhook.url("/deadmans")));
    progress.accept("Alertmanager " + alertmanager.url() + " (alert-rules/alertmanager), receivers at " + webhook.url("/"));
    if (collector != null) {
      tempo = remember(new OtlpSink());
      loki = remember(new OtlpSink());
      gatewaySettings = Gateway.builder(collector, dir.resolve("collector")).backends(tempo.grpcEndpoint(),
          loki.httpEndpoint().resolve("/otlp"), URI.create("http://127.0.0.1:" + prometheusPort + "/api/v1/write"));
    }
  }

  /**
   * Starts the webhook and Alertmanager in {@code dir} and chooses every port, so the services can be
   * started with {@link #jvmOptions} before the rest runs.
   *
   * @param collector the Collector binary, or {@code null} for the direct path
   * @param agent the OpenTelemetry Java agent jar; {@code extension} the Loupe extension jar
   * @param environment the services' {@code deployment.environment.name}
   * @throws IllegalStateException if Alertmanager is missing or refuses the configuration
   */
  public static Monitoring prepare(Path dir, Path collector, Path agent, Path extension, Path repository,
      String environment, Consumer<String> progress) throws IOException, InterruptedException {
    return new Monitoring(dir, collector, agent, extension, repository, environment, progress);
  }

  /** Whether the metrics go through the gateway Collector (else Prometheus scrapes the agents). */
  public boolean throughCollector() {
    return collector != null;
  }

  /** One line saying which path the telemetry takes. */
  public String path() {
    return collector != null
        ? "agents -> OTLP -> loupe-otelcol (" + collector + ") -> remote write -> Prometheus; traces and logs to stand-ins for Tempo and Loki"
        : "no Collector here: Prometheus scrapes each agent's Prometheus endpoint (the direct path); traces and logs are not exported";
  }

  /** The agent's options for {@code service}, on the path this monitoring takes. */
  public List<String> jvmOptions(Service service) {
    if (collector != null) {
      return Agents.otlp(agent, extension, repository, service, gatewaySettings.otlpHttp(),
          List.of("-Dotel.resource.attributes=service.namespace=jewelry,deployment.environment.name=" + environment));
    }
    return Agents.direct(agent, extension, repository, service, agentPorts.next(service), environment);
  }

  /**
   * Starts the Collector (scraping MES's legacy metrics and the broker) if there is one, and Prometheus,
   * then waits until Prometheus has known every service for a minute: the loss rules count a series born
   * at its first loss only once Prometheus was running the minute before (alert-rules/README.md).
   *
   * @throws IllegalStateException if a part refuses its config or is not ready in time, with its log
   */
  public void start(Stack stack) throws Exception {
    String config;
    if (collector != null) {
      gateway = remember(gatewaySettings.scrapeTargets(stack.url(Service.MES).getAuthority(),
          "127.0.0.1:" + stack.broker().metricsPort()).start());
      progress.accept("Collector: OTLP " + gatewaySettings.otlpHttp() + ", its own metrics " + gatewaySettings.metricsTarget());
      config = Prometheus.shippedConfig(alertmanager, gatewaySettings.metricsTarget(), prometheusPort);
    } else {
      agentPorts.ensureListening(stack, progress);
      config = Prometheus.directConfig(alertmanager, agentPorts.byId(), stack.broker().metricsPort());
    }
    prometheus = remember(Prometheus.start(dir.resolve("prometheus"), config, prometheusPort));
    progress.accept("Prometheus " + prometheus.url() + " with alert-rules/rules");
    progress.accept("Waiting until Prometheus has known every service for a minute (the loss rules need it)...");
    dev.loupe.sample.stack.Eventually.await("Prometheus to have known every service for a minute",
        Duration.ofMinutes(4), () -> prometheus.sum("count(max by (service) (jvm_cpu_count offset 1m))").orElse(0)
            >= Service.values().length ? Optional.of(true) : Optional.empty());
  }

  public Webhook webhook() {
    return webhook;
  }

  public Alertmanager alertmanager() {
    return alertmanager;
  }

  public Prometheus prometheus() {
    return prometheus;
  }

  /** The stand-ins for Tempo and Loki, on the Collector path. */
  public Optional<OtlpSink> tempo() {
    return Optional.ofNullable(tempo);
  }

  public Optional<OtlpSink> loki() {
    return Optional.ofNullable(loki);
  }

  /** The Collector, on the Collector path. */
  public Optional<Gateway> gateway() {
    return Optional.ofNullable(gateway);
  }

  private <T extends AutoCloseable> T remember(T part) {
    started.add(part);
    return part;
  }

  /** Stops everything it started, the last started first. */
  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        progress.accept("while stopping: " + e.getMessage());
      }
    }
  }
}
