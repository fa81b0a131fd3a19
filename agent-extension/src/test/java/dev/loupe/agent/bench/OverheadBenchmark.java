package dev.loupe.agent.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.harness.AgentStack;
import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What an unreachable Collector costs the applications. The whole stack runs under the agent and the
 * extension with their real settings, once per scenario — by default a healthy endpoint, one that accepts
 * connections but never answers, one that refuses them, and a healthy one again (the two healthy runs show
 * the noise) — under the same closed-loop load. Each run reports throughput, p50 and p99 latency, and each
 * service's heap after a full GC, sampled through the run; then the unreachable runs are held to the
 * healthy ones.
 *
 * <p>Not part of {@code mvn verify} (it takes about ten minutes and wants a quiet machine):
 *
 * <pre>
 * mvn -B verify -pl agent-extension -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=OverheadBenchmark
 * </pre>
 *
 * Settings (system properties): {@code loupe.bench.scenarios} (comma-separated endpoints: healthy,
 * unresponsive, refused; an endpoint may carry a variant, {@code +no-redaction} or {@code +no-extension},
 * to see what part of the cost is Loupe's — such runs are reported, not compared), {@code loupe.bench.warmup} and {@code loupe.bench.seconds} (per run), {@code loupe.bench.workers}.
 * The report is printed and written to {@code agent-extension/target/overhead.md}.
 */
class OverheadBenchmark {

  private static final Pattern HEAP_USED = Pattern.compile(
      "(?m)^\\s*(?:def new generation|tenured generation|garbage-first heap|PSYoungGen|ParOldGen)\\s+total \\d+K, used (\\d+)K");

  /**
   * The JDK's built-in server (the MES) writes a response's headers and body separately, and without
   * TCP_NODELAY the body waits for the client's delayed ACK: about 40 ms on every MES request. Left in,
   * that fixed wait bounds the closed loop and hides CPU cost, so the benchmark turns it off.
   */
  private static final Map<Service, List<String>> MES_NO_DELAY = Map.of(Service.MES,
      List.of("-Dsun.net.httpserver.nodelay=true"));

  /** One scenario's results; heap in MiB after a full GC, per service, sampled through the measured window. */
  record Run(String kind, String variant, ClosedLoopLoad.Figures figures, Map<Service, List<Double>> heap, String received,
      long failedExports) {
    /** The product as shipped (no variant). */
    boolean asShipped() {
      return variant.isEmpty();
    }

    String scenario() {
      return variant.isEmpty() ? kind : kind + "+" + variant;
    }

    double p(double percentile) {
      return ClosedLoopLoad.Figures.percentileMillis(figures.all(), percentile);
    }

    double lastHeap(Service s) {
      List<Double> samples = heap.get(s);
      return samples.get(samples.size() - 1);
    }
  }

  @Test
  void anUnreachableCollectorCostsTheApplicationsNothingBeyondNoise() throws Exception {
    List<String> scenarios = Arrays.stream(System.getProperty("loupe.bench.scenarios",
        "healthy,unresponsive,refused,healthy").split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    scenarios.forEach(s -> {
      Endpoint.of(endpointOf(s)).close();
      variantOptions(s);
    });
    int warmup = Integer.getInteger("loupe.bench.warmup", 20);
    int seconds = Integer.getInteger("loupe.bench.seconds", 60);
    int workers = Integer.getInteger("loupe.bench.workers", 4);
    assertThat(seconds).as("loupe.bench.seconds").isGreaterThanOrEqualTo(10);
    System.out.printf("[bench] %d runs: %s; %d s warm-up + %d s measured each, %d closed-loop workers%n",
        scenarios.size(), scenarios, warmup, seconds, workers);

    List<Run> runs = new ArrayList<>();
    for (int i = 0; i < scenarios.size(); i++) {
      System.out.printf("[bench] run %d of %d: %s%n", i + 1, scenarios.size(), scenarios.get(i));
      Run run = run(scenarios.get(i), i + 1, warmup, seconds, workers);
      System.out.println("[bench]   " + line(run));
      runs.add(run);
    }

    String report = report(runs, warmup, seconds, workers);
    System.out.println(report);
    Path out = AgentStack.repository().resolve("agent-extension/target/overhead.md");
    Files.writeString(out, report, StandardCharsets.UTF_8);
    System.out.println("[bench] report written to " + out);

    for (Run run : runs) {
      assertThat(run.figures().errors()).as(run.scenario() + ": failed requests (first: " + run.figures().firstError() + ")")
          .isZero();
      if (run.kind().equals("healthy")) {
        assertThat(run.received()).as("the healthy endpoint received telemetry").doesNotStartWith("0 exports");
      } else {
        assertThat(run.failedExports()).as(run.scenario() + ": the services logged failed exports").isPositive();
      }
    }
    List<Run> healthy = runs.stream().filter(r -> r.kind().equals("healthy") && r.asShipped()).toList();
    if (healthy.isEmpty()) {
      System.out.println("[bench] no healthy run: nothing to compare with");
      return;
    }
    Band band = Band.of(healthy);
    System.out.println("[bench] " + band);
    for (Run run : runs) {
      if (run.kind().equals("healthy") || !run.asShipped()) {
        continue;
      }
      assertThat(run.figures().throughput()).as(run.scenario() + ": throughput (req/s) against " + band)
          .isGreaterThanOrEqualTo(band.throughput * (1 - band.throughputTolerance));
      assertThat(run.p(50)).as(run.scenario() + ": p50 (ms) against " + band)
          .isLessThanOrEqualTo(band.p50 * (1 + band.p50Tolerance));
      assertThat(run.p(99)).as(run.scenario() + ": p99 (ms) against " + band)
          .isLessThanOrEqualTo(band.p99 * (1 + band.p99Tolerance));
      for (Service s : Service.values()) {
        double healthyMax = healthy.stream().mapToDouble(h -> h.lastHeap(s)).max().orElseThrow();
        assertThat(run.lastHeap(s)).as(run.scenario() + ": " + s.id() + " heap after GC at the end (MiB)")
            .isLessThanOrEqualTo(healthyMax + Band.HEAP_SLACK_MIB);
        List<Double> samples = run.heap().get(s);
        assertThat(samples.get(samples.size() - 1)).as(run.scenario() + ": " + s.id() + " heap grew through the run " + samples)
            .isLessThanOrEqualTo(samples.get(0) + Band.HEAP_SLACK_MIB);
      }
    }
  }

  /**
   * What "within noise" means here: the healthy runs' mean, and a tolerance of twice their spread, but
   * never less than a floor (a 2-core machine shared by five servers and the load is not quiet).
   */
  record Band(double throughput, double throughputTolerance, double p50, double p50Tolerance, double p99,
      double p99Tolerance) {
    static final double HEAP_SLACK_MIB = 24;

    static Band of(List<Run> healthy) {
      double[] tp = healthy.stream().mapToDouble(r -> r.figures().throughput()).toArray();
      double[] p50 = healthy.stream().mapToDouble(r -> r.p(50)).toArray();
      double[] p99 = healthy.stream().mapToDouble(r -> r.p(99)).toArray();
      return new Band(mean(tp), Math.max(0.10, 2 * spread(tp)), mean(p50), Math.max(0.15, 2 * spread(p50)),
          mean(p99), Math.max(0.30, 2 * spread(p99)));
    }

    private static double mean(double[] v) {
      return Arrays.stream(v).average().orElseThrow();
    }

    /** (max - min) / mean */
    private static double spread(double[] v) {
      return (Arrays.stream(v).max().orElseThrow() - Arrays.stream(v).min().orElseThrow()) / mean(v);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "healthy band: throughput %.1f req/s -%.0f%%, p50 %.1f ms +%.0f%%, p99 %.1f ms +%.0f%%",
          throughput, 100 * throughputTolerance, p50, 100 * p50Tolerance, p99, 100 * p99Tolerance);
    }
  }

  private static String endpointOf(String scenario) {
    int plus = scenario.indexOf('+');
    return plus < 0 ? scenario : scenario.substring(0, plus);
  }

  private static String variantOf(String scenario) {
    int plus = scenario.indexOf('+');
    return plus < 0 ? "" : scenario.substring(plus + 1);
  }

  /** The extra JVM options of a scenario's variant; fails on an unknown one before anything starts. */
  private static List<String> variantOptions(String scenario) {
    return switch (variantOf(scenario)) {
      case "", "no-extension" -> List.of();
      case "no-redaction" -> List.of("-Dloupe.redaction.enabled=false");
      default -> throw new IllegalArgumentException("unknown variant in loupe.bench.scenarios: '" + scenario
          + "'; use +no-redaction or +no-extension");
    };
  }

  private static Run run(String scenario, int index, int warmup, int seconds, int workers) throws Exception {
    String kind = endpointOf(scenario);
    String variant = variantOf(scenario);
    Map<Service, List<String>> extra = new EnumMap<>(Service.class);
    for (Service s : Service.values()) {
      List<String> options = new ArrayList<>(variantOptions(scenario));
      options.addAll(MES_NO_DELAY.getOrDefault(s, List.of()));
      extra.put(s, options);
    }
    try (Endpoint endpoint = Endpoint.of(kind);
        Stack stack = AgentStack.start("bench-" + index + "-" + scenario.replace('+', '-'), endpoint.url(),
            !variant.equals("no-extension"), extra)) {
      Map<Service, List<Double>> heap = new EnumMap<>(Service.class);
      for (Service s : Service.values()) {
        heap.put(s, new ArrayList<>());
      }
      ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
      long every = Math.max(5, seconds / 3);
      sampler.scheduleAtFixedRate(() -> {
        for (Service s : Service.values()) {
          heap.get(s).add(heapAfterGc(stack.pid(s)));
        }
      }, warmup, every, TimeUnit.SECONDS);
      ClosedLoopLoad.Figures figures;
      try {
        figures = new ClosedLoopLoad(stack.client(), workers).run(TimeUnit.SECONDS.toNanos(warmup),
            TimeUnit.SECONDS.toNanos(seconds));
      } finally {
        sampler.shutdown();
        assertThat(sampler.awaitTermination(60, TimeUnit.SECONDS)).as("heap sampling finished").isTrue();
      }
      for (Service s : Service.values()) {
        heap.get(s).add(heapAfterGc(stack.pid(s)));
      }
      long failed = 0;
      for (Service s : Service.values()) {
        try (var lines = Files.lines(stack.log(s))) {
          failed += lines.filter(l -> l.contains("Failed to export")).count();
        }
      }
      return new Run(kind, variant, figures, heap, endpoint.received(), failed);
    }
  }

  /** The JVM's heap in use right after a full collection, in MiB, through {@code jcmd}. */
  static double heapAfterGc(long pid) {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher m = HEAP_USED.matcher(info);
    long kib = 0;
    boolean found = false;
    while (m.find()) {
      kib += Long.parseLong(m.group(1));
      found = true;
    }
    if (!found) {
      throw new IllegalStateException("no heap figures in jcmd GC.heap_info of " + pid + ":\n" + info);
    }
    return kib / 1024.0;
  }

  private static String jcmd(long pid, String command) {
    try {
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          Long.toString(pid), command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + out.strip());
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("could not run jcmd: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running jcmd", e);
    }
  }

  private static String line(Run r) {
    return String.format(Locale.ROOT, "%.1f req/s, p50 %.1f ms, p99 %.1f ms, %d errors; endpoint got %s",
        r.figures().throughput(), r.p(50), r.p(99), r.figures().errors(), r.received());
  }

  private static String report(List<Run> runs, int warmup, int seconds, int workers) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Overhead benchmark, %s: %d closed-loop workers, %d s warm-up, %d s measured per run; "
        + "%d cores, Java %s%n%n", LocalDate.now(), workers, warmup, seconds, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version")));
    b.append("| run | scenario | requests/s | p50 ms | p99 ms | errors | shop-api heap MiB | crm-api heap MiB | mes-api heap MiB | failed exports logged | endpoint received |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < runs.size(); i++) {
      Run r = runs.get(i);
      b.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %.1f | %.1f | %d | %s | %s | %s | %d | %s |%n", i + 1, r.scenario(),
          r.figures().throughput(), r.p(50), r.p(99), r.figures().errors(), heap(r, Service.SHOP), heap(r, Service.CRM),
          heap(r, Service.MES), r.failedExports(), r.received()));
    }
    b.append("\nPer request (p50 / p99 ms):\n\n| run | scenario |");
    for (ClosedLoopLoad.Kind k : ClosedLoopLoad.Kind.values()) {
      b.append(' ').append(k.name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(" |");
    }
    b.append("\n|---|---|").append("---|".repeat(ClosedLoopLoad.Kind.values().length)).append('\n');
    for (int i = 0; i < runs.size(); i++) {
      Run r = runs.get(i);
      b.append("| ").append(i + 1).append(" | ").append(r.scenario()).append(" |");
      for (ClosedLoopLoad.Kind k : ClosedLoopLoad.Kind.values()) {
        long[] n = r.figures().nanos().get(k);
        b.append(String.format(Locale.ROOT, " %.1f / %.1f (%d) |", ClosedLoopLoad.Figures.percentileMillis(n, 50),
            ClosedLoopLoad.Figures.percentileMillis(n, 99), n.length));
      }
      b.append('\n');
    }
    b.append("\nHeap is the live heap right after a full GC (jcmd GC.run), sampled from the start to the end of the "
        + "measured window.\n");
    return b.toString();
  }

  private static String heap(Run r, Service s) {
    return r.heap().get(s).stream().map(v -> String.format(Locale.ROOT, "%.0f", v))
        .reduce((a, c) -> a + " → " + c).orElse("");
  }
}
