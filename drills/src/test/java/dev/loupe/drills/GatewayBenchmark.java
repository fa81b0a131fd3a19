package dev.loupe.drills;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.collector.LoupeCollector;
import dev.loupe.sample.loadgen.LoadGenerator;
import dev.loupe.sample.stack.Stack;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one gateway Collector can take on one core: the shipped {@code gateway.yaml} with the local
 * override, tail sampling on, driven by {@code telemetrygen} (the Collector project's own load
 * generator, of the manifest's release). The Collector runs pinned to CPU 0 ({@code taskset -c 0},
 * {@code GOMAXPROCS=1}); the load generator and this JVM, with the backends' stand-ins, to CPU 1. Each
 * scenario starts a fresh Collector, warms up, then measures: spans and log records accepted and refused
 * per second, the Collector's CPU (of one core) and its largest RSS and Go heap, each from its own
 * {@code otelcol_process_*} metrics, sampled every second; and what reached the backends.
 *
 * <p>The memory limiter is set as the shipped percentages (80 % and 20 %) would set it in a container
 * limited to {@value #CONTAINER_MIB} MiB; on this machine's whole memory the limit would never be reached.
 *
 * <p>Not part of {@code mvn verify} (minutes; it wants a quiet machine):
 *
 * <pre>
 * mvn -B verify -pl drills -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=GatewayBenchmark
 * </pre>
 *
 * Settings (system properties): {@code loupe.bench.scenarios} (comma-separated; {@code traces:N} N spans a
 * second, {@code logs:N} N log records a second, {@code mixed:N+M} both, {@code hang:N+M} both with every
 * backend hanging for {@code loupe.bench.hang} seconds (90) and answering again for
 * {@code loupe.bench.recovery} seconds (30), {@code stack:N} the overhead benchmark's stack at N orders a
 * second; any of them with {@code @NAME=VALUE} for one more environment variable of the Collector, e.g.
 * {@code @GOMEMLIMIT=512MiB}), {@code loupe.bench.warmup} and {@code loupe.bench.seconds} (per scenario).
 * {@code loupe.bench.profile}: the scenarios to profile with {@code perf}, where it is installed
 * ({@code traces:11000,mixed:11000+5000}). The report is printed and written to
 * {@code drills/target/gateway-benchmark.md}.
 */
class GatewayBenchmark {

  private static final String TELEMETRYGEN = "github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen";
  private static final int CONTAINER_MIB = 640;
  private static final int LIMIT_MIB = CONTAINER_MIB * 80 / 100;
  private static final int SPIKE_MIB = CONTAINER_MIB * 20 / 100;
  /** Spans per trace: a root and nine children, about an order's trace through one service. */
  private static final int CHILD_SPANS = 9;
  /**
   * What one telemetrygen process is asked for at most, over {@value #WORKERS} workers: its rate limiter
   * delivers about 90 % of what a worker is asked at up to 1000 a second and much less above, and one
   * process exports spans one batch at a time, so more load is more processes.
   */
  private static final int PER_PROCESS = 10_000;
  private static final int WORKERS = 10;
  private static final double MIB = 1024 * 1024;

  /**
   * One scenario as asked; {@code orders} a second for the stack, else spans and log records a second;
   * {@code env}, more environment for the Collector (after an {@code @}: {@code traces:40000@GOMEMLIMIT=400MiB}).
   */
  record Scenario(String name, int spans, int logs, boolean hang, int orders, Map<String, String> env) {
    static Scenario parse(String text) {
      String name = text.trim();
      String[] scenarioAndEnv = name.split("@");
      Map<String, String> env = new LinkedHashMap<>();
      for (int i = 1; i < scenarioAndEnv.length; i++) {
        String[] pair = scenarioAndEnv[i].split("=", 2);
        env.put(pair[0], pair[1]);
      }
      String[] kindAndRate = scenarioAndEnv[0].split(":");
      String[] rates = kindAndRate[1].split("\\+");
      int first = Integer.parseInt(rates[0]);
      int second = rates.length > 1 ? Integer.parseInt(rates[1]) : 0;
      return switch (kindAndRate[0]) {
        case "traces" -> new Scenario(name, first, 0, false, 0, env);
        case "logs" -> new Scenario(name, 0, first, false, 0, env);
        case "mixed" -> new Scenario(name, first, second, false, 0, env);
        case "hang" -> new Scenario(name, first, second, true, 0, env);
        case "stack" -> new Scenario(name, 0, 0, false, first, env);
        default -> throw new IllegalArgumentException("unknown scenario " + text);
      };
    }

    boolean stack() {
      return orders > 0;
    }
  }

  /** The measured window of one scenario. */
  record Figures(Scenario scenario, double seconds, double spansAccepted, double spansRefused, double logsAccepted,
      double logsRefused, double cpu, double maxRssMib, double maxHeapMib, double keptSpans, double logsDelivered,
      double droppedTooEarly, double limiterRefused, String timeline, double reachedShare, String profile) {
    Figures withTimeline(String text) {
      return new Figures(scenario, seconds, spansAccepted, spansRefused, logsAccepted, logsRefused, cpu, maxRssMib,
          maxHeapMib, keptSpans, logsDelivered, droppedTooEarly, limiterRefused, text, reachedShare, profile);
    }

    Figures withReachedShare(double share) {
      return new Figures(scenario, seconds, spansAccepted, spansRefused, logsAccepted, logsRefused, cpu, maxRssMib,
          maxHeapMib, keptSpans, logsDelivered, droppedTooEarly, limiterRefused, timeline, share, profile);
    }

    Figures withProfile(String text) {
      return new Figures(scenario, seconds, spansAccepted, spansRefused, logsAccepted, logsRefused, cpu, maxRssMib,
          maxHeapMib, keptSpans, logsDelivered, droppedTooEarly, limiterRefused, timeline, reachedShare, text);
    }
  }

  @Test
  void theGatewayOnOneCore(@TempDir Path dir) throws Exception {
    Path collector = RealCollector.orSkip();
    Path telemetrygen = LoupeCollector.fromEnvironment().tool(TELEMETRYGEN,
        LoupeCollector.packagedManifest().builderVersion());
    int warmup = Integer.getInteger("loupe.bench.warmup", 15);
    int seconds = Integer.getInteger("loupe.bench.seconds", 30);
    int recovery = Integer.getInteger("loupe.bench.recovery", 30);
    int hung = Integer.getInteger("loupe.bench.hang", 90);
    List<String> profiled = CollectorProfile.available()
        ? List.of(System.getProperty("loupe.bench.profile", "traces:11000,mixed:11000+5000").split(",")) : List.of();
    List<Scenario> scenarios = Stream.of(System.getProperty("loupe.bench.scenarios",
        "traces:11000,traces:13000,traces:16000,traces:20000,traces:40000,traces:40000@GOMEMLIMIT=512MiB,"
            + "traces:40000@GOMEMLIMIT=400MiB,logs:10000,logs:20000,logs:40000,mixed:11000+5000,hang:11000+5000,"
            + "stack:20").split(",")).map(Scenario::parse).toList();
    boolean pinned = Runtime.getRuntime().availableProcessors() >= 2;
    if (pinned) {
      run(List.of("taskset", "-a", "-c", "-p", "1", Long.toString(ProcessHandle.current().pid())));
    }
    Path onCpu0 = dir.resolve("otelcol-on-cpu0");
    Files.writeString(onCpu0, "#!/bin/sh\nexec " + (pinned ? "taskset -c 0 " : "") + "'" + collector + "' \"$@\"\n");
    Files.setPosixFilePermissions(onCpu0, PosixFilePermissions.fromString("rwxr-xr-x"));
    String load = Files.readString(Path.of("/proc/loadavg")).trim();

    List<Figures> results = new ArrayList<>();
    int n = 0;
    for (Scenario s : scenarios) {
      results.add(measure(s, onCpu0, collector, telemetrygen, pinned, dir.resolve("run-" + ++n), warmup,
          s.hang() ? hung : seconds, recovery, profiled.contains(s.name())));
      System.out.println(row(results.get(results.size() - 1)));
    }
    String report = report(results, warmup, seconds, load, Files.readString(Path.of("/proc/loadavg")).trim(), pinned);
    System.out.println(report);
    Path out = Tools.repository().resolve("drills/target/gateway-benchmark.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    for (Figures f : results) {
      assertThat(f.spansAccepted() + f.logsAccepted()).as(f.scenario().name() + ": anything accepted").isPositive();
    }
  }

  private static Figures measure(Scenario s, Path collector, Path binary, Path telemetrygen, boolean pinned, Path dir,
      int warmup, int seconds, int recovery, boolean profiled) throws Exception {
    try (OtlpSink tempo = new OtlpSink().countOnly(); OtlpSink loki = new OtlpSink().countOnly();
        OtlpSink prometheus = new OtlpSink().countOnly()) {
      Gateway.Builder builder = Gateway.builder(collector, dir)
          .backends(tempo.grpcEndpoint(), loki.httpEndpoint().resolve("/otlp"),
              prometheus.httpEndpoint().resolve("/api/v1/write"))
          .override(Map.of("processors", Map.of("memory_limiter", Map.of("limit_mib", LIMIT_MIB,
              "spike_limit_mib", SPIKE_MIB))))
          .env("GOMAXPROCS", "1");
      s.env().forEach(builder::env);
      try (Gateway gateway = builder.start()) {
        int total = warmup + seconds + (s.hang() ? recovery : 0) + 5;
        Load load = s.stack() ? stack(s, builder, dir, total) : telemetrygen(s, builder, telemetrygen, pinned, dir, total);
        try {
          Thread.sleep(warmup * 1000L);
          if (s.hang()) {
            tempo.hang(true);
            loki.hang(true);
            prometheus.hang(true);
          }
          Snapshot first = Snapshot.of(gateway);
          CollectorProfile profile = profiled ? CollectorProfile.record(pid(dir), binary, dir, seconds) : null;
          long keptBefore = tempo.spanCount();
          long logsBefore = loki.logCount();
          double maxRss = 0;
          double maxHeap = 0;
          StringBuilder timeline = new StringBuilder();
          Snapshot last = first;
          for (int i = 1; i <= seconds; i++) {
            sleepUntil(first.nanos() + i * 1_000_000_000L);
            last = Snapshot.of(gateway);
            maxRss = Math.max(maxRss, last.sum("otelcol_process_memory_rss_bytes") / MIB);
            maxHeap = Math.max(maxHeap, last.sum("otelcol_process_runtime_heap_alloc_bytes") / MIB);
            if (s.hang() && i % 15 == 0) {
              timeline.append(moment(i + " s hung", first, last, dir));
            }
          }
          double elapsed = (last.nanos() - first.nanos()) / 1e9;
          Figures f = new Figures(s, elapsed,
              last.rate(first, "otelcol_receiver_accepted_spans_total"),
              last.rate(first, "otelcol_receiver_refused_spans_total"),
              last.rate(first, "otelcol_receiver_accepted_log_records_total"),
              last.rate(first, "otelcol_receiver_refused_log_records_total"),
              last.rate(first, "otelcol_process_cpu_seconds_total"), maxRss, maxHeap,
              (tempo.spanCount() - keptBefore) / elapsed, (loki.logCount() - logsBefore) / elapsed,
              last.sum("otelcol_processor_tail_sampling_sampling_trace_dropped_too_early_total")
                  - first.sum("otelcol_processor_tail_sampling_sampling_trace_dropped_too_early_total"),
              last.sum("otelcol_processor_memory_limiter_refused_spans_total")
                  + last.sum("otelcol_processor_memory_limiter_refused_log_records_total")
                  - first.sum("otelcol_processor_memory_limiter_refused_spans_total")
                  - first.sum("otelcol_processor_memory_limiter_refused_log_records_total"),
              timeline.toString(), Double.NaN, profile == null ? "" : profile.report());
          if (s.hang()) {
            tempo.hang(false);
            loki.hang(false);
            prometheus.hang(false);
            Snapshot released = Snapshot.of(gateway);
            for (int i = 1; i <= recovery; i++) {
              sleepUntil(released.nanos() + i * 1_000_000_000L);
              if (i % 15 == 0) {
                timeline.append(moment(i + " s after", first, Snapshot.of(gateway), dir));
              }
            }
            f = f.withTimeline(timeline.toString());
          }
          double generated = load.finish();
          Snapshot end = Snapshot.of(gateway);
          Files.writeString(dir.resolve("collector-metrics-end.txt"), String.join("\n", end.lines()));
          double reached = end.sum("otelcol_receiver_accepted_spans_total") + end.sum("otelcol_receiver_refused_spans_total")
              + end.sum("otelcol_receiver_accepted_log_records_total") + end.sum("otelcol_receiver_refused_log_records_total");
          return f.withReachedShare(reached / generated);
        } finally {
          load.close();
        }
      }
    }
  }

  /** The Collector started in {@code dir}: the descendant of this JVM whose command names that folder. */
  private static long pid(Path dir) {
    return ProcessHandle.current().descendants()
        .filter(p -> p.info().commandLine().map(c -> c.contains("loupe-otelcol") && c.contains(dir.toString()))
            .orElse(false))
        .findFirst().orElseThrow(() -> new IllegalStateException("no Collector process started in " + dir)).pid();
  }

  /**
   * The Collector's resident memory by kind, from {@code /proc}: anonymous (the Go heap and runtime) and
   * file-backed (its own code, and the queue files that bbolt maps), as {@code anon + file}.
   */
  private static String rssKinds(Path dir) throws IOException {
    Map<String, Long> kib = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid(dir)), "status"))) {
      if (line.startsWith("RssAnon:") || line.startsWith("RssFile:")) {
        kib.put(line.substring(0, 7), Long.parseLong(line.replaceAll("\\D", "")));
      }
    }
    return String.format(Locale.ROOT, "%.0f + %.0f", kib.getOrDefault("RssAnon", 0L) / 1024.0,
        kib.getOrDefault("RssFile", 0L) / 1024.0);
  }

  /** One line of the hang's timeline: counts since the window began, and the state now. */
  private static String moment(String when, Snapshot first, Snapshot now, Path dir) throws IOException {
    return String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f (%s) | %.0f | %.0f | %.0f | %.0f | %.1f |%n", when,
        now.sum("otelcol_receiver_accepted_spans_total") - first.sum("otelcol_receiver_accepted_spans_total"),
        now.sum("otelcol_receiver_refused_spans_total") - first.sum("otelcol_receiver_refused_spans_total"),
        now.sum("otelcol_processor_memory_limiter_refused_spans_total")
            - first.sum("otelcol_processor_memory_limiter_refused_spans_total"),
        now.sum("otelcol_process_memory_rss_bytes") / MIB, rssKinds(dir),
        now.sum("otelcol_process_runtime_heap_alloc_bytes") / MIB,
        now.sum("otelcol_exporter_queue_size", "exporter=\"otlp_grpc/tempo\""),
        now.sum("otelcol_exporter_queue_size", "exporter=\"otlp_http/loki\""),
        now.sum("otelcol_exporter_enqueue_failed_spans_total") + now.sum("otelcol_exporter_enqueue_failed_log_records_total"),
        size(dir.resolve("queues")) / MIB);
  }

  /** The load of one scenario, started with the Collector. */
  interface Load extends AutoCloseable {
    /** Waits for the load to end; the spans and log records it made, or NaN where that is unknown. */
    double finish() throws Exception;

    @Override
    void close() throws Exception;
  }

  /** telemetrygen processes for the scenario's spans and log records, ending after {@code seconds}. */
  private static Load telemetrygen(Scenario s, Gateway.Builder gateway, Path telemetrygen, boolean pinned, Path dir,
      int seconds) throws IOException {
    List<Process> processes = new ArrayList<>();
    if (s.spans() > 0) {
      processes.addAll(telemetrygen(telemetrygen, pinned, dir, "traces", gateway.otlpGrpc(), s.spans(), seconds,
          "--child-spans", Integer.toString(CHILD_SPANS),
          "--telemetry-attributes", "http.request.method=\"GET\"",
          "--telemetry-attributes", "http.route=\"/api/orders/{orderId}\"",
          "--telemetry-attributes", "url.path=\"/api/orders/JW-004711\"",
          "--telemetry-attributes", "http.response.status_code=200",
          "--telemetry-attributes", "order.id=\"JW-004711\""));
    }
    if (s.logs() > 0) {
      processes.addAll(telemetrygen(telemetrygen, pinned, dir, "logs", gateway.otlpGrpc(), s.logs(), seconds,
          "--body", "Order JW-004711 priced by MES: 3 stones, 18k gold, total 1840.00 EUR",
          "--telemetry-attributes", "order.id=\"JW-004711\""));
    }
    return new Load() {
      @Override
      public double finish() throws Exception {
        for (Process p : processes) {
          p.waitFor(30, TimeUnit.SECONDS);
        }
        return generated(dir);
      }

      @Override
      public void close() throws InterruptedException {
        for (Process p : processes) {
          p.destroy();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      }
    };
  }

  /**
   * The overhead benchmark's stack — shop-api, crm-api and mes-api under the agent and the extension with
   * their shipped settings, PostgreSQL, RabbitMQ and S3 — exporting OTLP to the gateway, under the demo's
   * load generator: {@code orders} a second placed and confirmed by sellers, the orders page worked.
   * Started from this JVM, it runs where this JVM is pinned (CPU 1).
   */
  private static Load stack(Scenario s, Gateway.Builder gateway, Path dir, int seconds) throws Exception {
    Path repository = Tools.repository();
    Path agent = repository.resolve("agent-extension/target/agent/opentelemetry-javaagent.jar");
    Path extension = repository.resolve("agent-extension/target/loupe-agent-extension.jar");
    Stack stack = Stack.builder(repository).workDir(dir.resolve("stack"))
        .calculation(Duration.ofMillis(200))
        .progress(line -> System.out.println("[stack] " + line))
        .jvmOptions(service -> Agents.otlp(agent, extension, repository, service, gateway.otlpHttp(), List.of()))
        .start();
    LoadGenerator generator = new LoadGenerator(stack.client(), new LoadGenerator.Settings(s.orders(),
        Duration.ofSeconds(seconds), Duration.ofSeconds(1), true, Math.max(1, s.orders() / 4.0), true),
        new PrintStream(OutputStream.nullOutputStream()));
    ExecutorService runner = Executors.newSingleThreadExecutor();
    Future<LoadGenerator.Summary> summary = runner.submit(generator::run);
    return new Load() {
      @Override
      public double finish() throws Exception {
        System.out.println("[stack] load: " + summary.get().render());
        return Double.NaN;
      }

      @Override
      public void close() {
        runner.shutdownNow();
        stack.close();
      }
    };
  }

  /** The telemetrygen processes that ask for {@code rate} spans or log records a second, together. */
  private static List<Process> telemetrygen(Path binary, boolean pinned, Path dir, String signal, String endpoint,
      int rate, int seconds, String... more) throws IOException {
    int processes = Math.max(1, (rate + PER_PROCESS - 1) / PER_PROCESS);
    List<Process> started = new ArrayList<>();
    for (int i = 1; i <= processes; i++) {
      List<String> command = new ArrayList<>();
      if (pinned) {
        command.addAll(List.of("taskset", "-c", "1"));
      }
      command.addAll(List.of(binary.toString(), signal, "--otlp-endpoint", endpoint, "--otlp-insecure",
          "--workers", Integer.toString(WORKERS), "--rate", Double.toString((double) rate / processes / WORKERS),
          "--duration", seconds + "s", "--batch-size", "512", "--allow-export-failures", "--service", "bench-" + signal));
      command.addAll(List.of(more));
      started.add(new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("telemetrygen-" + signal + "-" + i + ".log").toFile()).start());
    }
    return started;
  }

  private static final Pattern GENERATED = Pattern.compile("(traces|logs) generated\\s+\\{.*\"(?:traces|logs)\": (\\d+)");

  /**
   * Spans and log records the load generators made, from the count each worker logs as it ends: more than
   * reached the Collector when a generator's own export queue overflowed (it drops, silently).
   */
  private static double generated(Path dir) throws IOException {
    double total = 0;
    try (Stream<Path> logs = Files.list(dir)) {
      for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("telemetrygen-")).toList()) {
        Matcher m = GENERATED.matcher(Files.readString(log));
        while (m.find()) {
          total += Long.parseLong(m.group(2)) * (m.group(1).equals("traces") ? CHILD_SPANS + 1 : 1);
        }
      }
    }
    return total;
  }

  /** The Collector's own metrics at one moment. */
  record Snapshot(long nanos, List<String> lines) {
    static Snapshot of(Gateway gateway) throws IOException, InterruptedException {
      long now = System.nanoTime();
      return new Snapshot(now, gateway.ownMetrics().lines().filter(l -> !l.startsWith("#")).toList());
    }

    /** The sum of the series named {@code name} whose labels contain every one of {@code labels}. */
    double sum(String name, String... labels) {
      double total = 0;
      for (String line : lines) {
        int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
        if (end > 0 && line.substring(0, end).equals(name) && Stream.of(labels).allMatch(line::contains)) {
          total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return total;
    }

    /** Per second, from {@code before} to this one. */
    double rate(Snapshot before, String name) {
      return (sum(name) - before.sum(name)) / ((nanos - before.nanos) / 1e9);
    }
  }

  private static String row(Figures f) {
    Scenario s = f.scenario();
    return String.format(Locale.ROOT,
        "| %s | %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f %% | %.0f | %.0f | %.0f | %.0f | %.0f | %s | %s |",
        s.name(), s.spans() > 0 ? Integer.toString(s.spans()) : "—", s.logs() > 0 ? Integer.toString(s.logs()) : "—",
        f.spansAccepted(), f.logsAccepted(), f.spansRefused(), f.logsRefused(), f.cpu() * 100, f.maxRssMib(),
        f.maxHeapMib(), f.keptSpans(), f.logsDelivered(), f.droppedTooEarly(), cpuPerItem(f),
        Double.isNaN(f.reachedShare()) ? "—" : String.format(Locale.ROOT, "%.1f %%", f.reachedShare() * 100));
  }

  /** Microseconds of the Collector's CPU per span or log record accepted. */
  private static String cpuPerItem(Figures f) {
    double items = f.spansAccepted() + f.logsAccepted();
    return items == 0 ? "—" : String.format(Locale.ROOT, "%.1f", f.cpu() / items * 1e6);
  }

  private static String report(List<Figures> results, int warmup, int seconds, String loadBefore, String loadAfter,
      boolean pinned) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Gateway on one core (%s), %s; memory limiter %d MiB (spike %d MiB); "
        + "%d s warm-up, %d s measured per scenario; load average before %s, after %s%n%n",
        pinned ? "taskset -c 0, GOMAXPROCS=1; load generator and backends on CPU 1" : "not pinned: one CPU only",
        LocalDate.now(), LIMIT_MIB, SPIKE_MIB, warmup, seconds, loadBefore, loadAfter));
    out.append("| scenario | spans/s asked | logs/s asked | spans/s accepted | logs/s accepted | spans/s refused"
        + " | logs/s refused | CPU (one core) | max RSS MiB | max heap MiB | spans/s to Tempo | logs/s to Loki"
        + " | traces decided early | µs CPU per item | generated that reached the Collector |\n");
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Figures f : results) {
      out.append(row(f)).append('\n');
    }
    for (Figures f : results) {
      if (!f.profile().isEmpty()) {
        out.append("\nWhere the Collector's CPU goes, ").append(f.scenario().name())
            .append(" (perf record -F 499 -g through the measured window):\n\n").append(f.profile());
      }
    }
    for (Figures f : results) {
      if (f.scenario().hang()) {
        out.append("\n").append(f.scenario().name()).append(": every backend hangs, then answers again\n\n");
        out.append("| moment | spans accepted | spans refused | refused by the memory limiter | RSS MiB (anon + file) | heap MiB"
            + " | Tempo queue (batches) | Loki queue (batches) | enqueue failed | queue files MiB |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|\n");
        out.append(f.timeline());
        out.append(String.format(Locale.ROOT, "%nWhile hung: %.0f spans/s and %.0f logs/s accepted, %.0f and %.0f refused;"
            + " memory limiter refused %.0f items; max RSS %.0f MiB, max heap %.0f MiB.%n", f.spansAccepted(),
            f.logsAccepted(), f.spansRefused(), f.logsRefused(), f.limiterRefused(), f.maxRssMib(), f.maxHeapMib()));
      }
    }
    return out.toString();
  }

  private static long size(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long wait = nanos - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }
}
