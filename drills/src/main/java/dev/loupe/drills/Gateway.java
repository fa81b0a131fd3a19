package dev.loupe.drills;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The gateway Collector as deployed: {@code collector-config/gateway.yaml} merged with an environment's
 * override (the local one by default), plus one more override the drills write to move every port and
 * backend to the loopback addresses of this run. Nothing else of the shipped config changes.
 *
 * <p>Its ports are chosen when the {@link Builder} is made, so the services can be pointed at it before
 * it starts (and it can scrape them once they run).
 */
public final class Gateway extends Daemon {

  private final Builder settings;

  private Gateway(Daemon started, Builder settings) {
    super(started);
    this.settings = settings;
  }

  /** A Collector of {@code binary} to be started in {@code dir}, its ports chosen now. */
  public static Builder builder(Path binary, Path dir) {
    return new Builder(binary, dir);
  }

  /** How the gateway is to run; every setting has a default but the backends. */
  public static final class Builder {
    private final Path binary;
    private final Path dir;
    private final int grpc = Tools.freePort();
    private final int http = Tools.freePort();
    private final int frontend = Tools.freePort();
    private final int health = Tools.freePort();
    private final int metrics = Tools.freePort();
    private String environment = "local";
    private List<String> more = List.of();
    private String tempoGrpc;
    private URI lokiHttp;
    private URI prometheusWrite;
    private Path queues;
    private String mesMetrics = "127.0.0.1:9";
    private String brokerMetrics = "127.0.0.1:9";
    private Map<String, Object> override = Map.of();
    private final Map<String, String> env = new LinkedHashMap<>();

    private Builder(Path binary, Path dir) {
      this.binary = binary;
      this.dir = dir;
      this.queues = dir.resolve("queues");
    }

    /** The override of {@code collector-config/overrides/} to merge: {@code local} (default) or another. */
    public Builder environment(String name) {
      this.environment = name;
      return this;
    }

    /**
     * More overrides of {@code collector-config/overrides/}, merged in order after the environment's (a
     * scale-out tier, say: {@code scale-out-routing}).
     */
    public Builder overrides(String... names) {
      this.more = List.of(names);
      return this;
    }

    /** Tempo's OTLP/gRPC host:port, Loki's OTLP/HTTP base URL, Prometheus's remote-write URL. */
    public Builder backends(String tempoGrpc, URI lokiHttp, URI prometheusWrite) {
      this.tempoGrpc = tempoGrpc;
      this.lokiHttp = lokiHttp;
      this.prometheusWrite = prometheusWrite;
      return this;
    }

    /** The exporters' file-storage directory ({@code dir/queues} by default); keep it across a restart. */
    public Builder queues(Path queues) {
      this.queues = queues;
      return this;
    }

    /** host:port of MES's legacy {@code /metrics} and of the broker's Prometheus endpoint. */
    public Builder scrapeTargets(String mesMetrics, String brokerMetrics) {
      this.mesMetrics = mesMetrics;
      this.brokerMetrics = brokerMetrics;
      return this;
    }

    /** More configuration, merged last (maps key by key, lists replaced, as the Collector merges). */
    public Builder override(Map<String, Object> more) {
      this.override = more;
      return this;
    }

    /** One more environment variable for the Collector (the configs read {@code LOUPE_*} settings). */
    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /** The OTLP/HTTP endpoint the agents export to. */
    public URI otlpHttp() {
      return URI.create("http://127.0.0.1:" + http);
    }

    /** The OTLP/HTTP endpoint over TLS, as an override with TLS on the receivers (production) serves it. */
    public URI otlpHttps() {
      return URI.create("https://127.0.0.1:" + http);
    }

    /** The OTLP/HTTP endpoint the front ends' browsers export to (receiver {@code otlp/frontend}). */
    public URI frontendOtlpHttp() {
      return URI.create("http://127.0.0.1:" + frontend);
    }

    /** The OTLP/gRPC endpoint, host:port. */
    public String otlpGrpc() {
      return "127.0.0.1:" + grpc;
    }

    /** host:port of the Collector's own Prometheus metrics, for a scrape config. */
    public String metricsTarget() {
      return "127.0.0.1:" + metrics;
    }

    /**
     * Writes {@code dir/drill-override.yaml}, starts the Collector with the shipped config, the
     * environment's override and that one, and waits up to 60 s for its health check.
     *
     * @throws IllegalStateException if the backends are not set, or the Collector refuses the configs or
     *     does not become healthy, with its log
     */
    public Gateway start() throws IOException, InterruptedException {
      if (tempoGrpc == null) {
        throw new IllegalStateException("the gateway's backends are not set");
      }
      Files.createDirectories(dir);
      Files.createDirectories(queues);
      Path file = dir.resolve("drill-override.yaml");
      DumperOptions style = new DumperOptions();
      style.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
      Files.writeString(file, "# written by the drills: loopback ports and backends of one run\n"
          + new Yaml(style).dump(deepMerge(loopback(), override)));
      Path configs = Tools.repository().resolve("collector-config");
      List<String> command = new ArrayList<>(List.of(binary.toString(),
          "--config", configs.resolve("gateway.yaml").toString(),
          "--config", configs.resolve("overrides/" + environment + ".yaml").toString()));
      for (String name : more) {
        command.addAll(List.of("--config", configs.resolve("overrides/" + name + ".yaml").toString()));
      }
      command.addAll(List.of("--config", file.toString()));
      Map<String, String> all = new LinkedHashMap<>();
      all.put("LOUPE_COLLECTOR_QUEUE_DIR", queues.toString());
      all.put("LOUPE_MES_METRICS_TARGET", mesMetrics);
      all.put("LOUPE_RABBITMQ_METRICS_TARGET", brokerMetrics);
      all.put("LOUPE_COLLECTOR_METRICS_HOST", "127.0.0.1");
      all.put("LOUPE_COLLECTOR_METRICS_PORT", Integer.toString(metrics));
      all.putAll(env);
      Daemon d = Daemon.start("Collector", dir, command, all, URI.create("http://127.0.0.1:" + metrics),
          URI.create("http://127.0.0.1:" + health + "/"), Duration.ofSeconds(60));
      return new Gateway(d, this);
    }

    private Map<String, Object> loopback() {
      return Map.of(
          "extensions", Map.of("health_check", Map.of("endpoint", "127.0.0.1:" + health)),
          "receivers", Map.of("otlp", Map.of("protocols", Map.of(
              "grpc", Map.of("endpoint", "127.0.0.1:" + grpc),
              "http", Map.of("endpoint", "127.0.0.1:" + http))),
              "otlp/frontend", Map.of("protocols", Map.of("http", Map.of("endpoint", "127.0.0.1:" + frontend)))),
          "exporters", Map.of(
              "otlp_grpc/tempo", Map.of("endpoint", tempoGrpc),
              "otlp_http/loki", Map.of("endpoint", lokiHttp.toString()),
              "prometheus_remote_write", Map.of("endpoint", prometheusWrite.toString())));
    }
  }

  /** The settings it was started with: its ports among them. */
  public Builder settings() {
    return settings;
  }

  /** The Collector's own metrics, in Prometheus text. */
  public String ownMetrics() throws IOException, InterruptedException {
    return get("/metrics").body();
  }

  /**
   * The sum of the Collector's own series named {@code name} (exactly, as Prometheus text names it) whose
   * labels include every {@code label="value"} pair given; 0 when none is there yet.
   */
  public double ownMetric(String name, String... labels) throws IOException, InterruptedException {
    double sum = 0;
    for (String line : ownMetrics().split("\n")) {
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      if (line.startsWith("#") || space < 0) {
        continue;
      }
      String series = line.substring(0, brace >= 0 ? brace : space);
      String labelText = brace >= 0 ? line.substring(brace, line.lastIndexOf('}') + 1) : "";
      boolean matches = series.equals(name);
      for (int i = 0; matches && i + 1 < labels.length; i += 2) {
        String pair = labels[i] + "=\"" + labels[i + 1] + "\"";
        matches = labelText.contains("{" + pair) || labelText.contains("," + pair);
      }
      if (matches) {
        sum += Double.parseDouble(line.substring(space + 1));
      }
    }
    return sum;
  }

  /** Maps merge key by key, as the Collector merges its config files; anything else is replaced. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> deepMerge(Map<String, Object> base, Map<String, Object> over) {
    Map<String, Object> merged = new LinkedHashMap<>(base);
    for (var e : over.entrySet()) {
      Object mine = merged.get(e.getKey());
      if (mine instanceof Map<?, ?> a && e.getValue() instanceof Map<?, ?> b) {
        merged.put(e.getKey(), deepMerge((Map<String, Object>) a, (Map<String, Object>) b));
      } else {
        merged.put(e.getKey(), e.getValue());
      }
    }
    return merged;
  }
}
