package dev.loupe.demo;

import dev.loupe.collector.CollectorUnavailableException;
import dev.loupe.collector.LoupeCollector;
import dev.loupe.drills.Monitoring;
import dev.loupe.drills.Page;
import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.LoadGenerator;
import dev.loupe.sample.stack.Stack;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The demo: the three legacy services under the OpenTelemetry Java agent with the Loupe extension,
 * Loupe's monitoring in the loop (the gateway Collector when it can be had, Prometheus with the alert
 * rules, Alertmanager paging a local webhook), customers, sellers and operators at work for a short
 * while; then what became of the orders beside what Loupe saw of them, and everything stopped again,
 * on exit or Ctrl-C.
 */
public final class Demo {

  /** How long the demo waits for a page after a loss: a definitive loss pages within 60 s. */
  private static final Duration PAGE_WAIT = Duration.ofSeconds(90);

  private final DemoOptions options;
  private final Path repository;
  private final PrintStream out;

  Demo(DemoOptions options, Path repository, PrintStream out) {
    this.options = options;
    this.repository = repository.toAbsolutePath().normalize();
    this.out = out;
  }

  public static void main(String[] args) {
    DemoOptions options;
    try {
      options = DemoOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("demo: " + e.getMessage());
      System.err.print(DemoOptions.USAGE);
      System.exit(2);
      return;
    }
    if (options.listFaults()) {
      for (Fault f : Fault.values()) {
        System.out.printf("%-32s %-8s point %d  %s%n", f.id(), f.service(), f.failurePoint(), f.description());
      }
      return;
    }
    try {
      new Demo(options, Path.of(System.getProperty("loupe.repository", ".")), System.out).run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      System.exit(130);
    } catch (Exception e) {
      System.err.println("demo failed: " + e.getMessage());
      System.exit(1);
    }
  }

  /** Runs the demo and returns the load generator's summary. */
  LoadGenerator.Summary run() throws Exception {
    Path agent = repository.resolve("demo/target/agent/opentelemetry-javaagent.jar");
    Path extension = repository.resolve("agent-extension/target/loupe-agent-extension.jar");
    for (Path jar : List.of(agent, extension)) {
      if (!Files.isReadable(jar)) {
        throw new IllegalStateException(jar + " is missing; build first (mvn package)");
      }
    }
    Path workDir = fresh(repository.resolve("demo/target/run"));
    Path collector = options.collector() ? collector() : null;
    Monitoring monitoring = Monitoring.prepare(workDir.resolve("monitoring"), collector, agent, extension, repository,
        "demo", line -> out.println("  " + line));
    Stack stack = Stack.builder(repository)
        .workDir(workDir)
        .useLocalServices(!options.privateServices())
        .calculation(options.calculation())
        .historyOrders(100_000)
        .jvmOptions(monitoring::jvmOptions)
        .progress(line -> out.println("  " + line))
        .create();
    Thread stopOnExit = new Thread(() -> {
      out.println("Stopping everything the demo started...");
      stack.close();
      monitoring.close();
      out.println("Stopped.");
    }, "demo-stop");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    try {
      out.println("Loupe's monitoring: " + monitoring.path());
      out.println("Starting the order pipeline with the OpenTelemetry Java agent on every service:");
      stack.start();
      out.println("Starting Prometheus with alert-rules/rules; Alertmanager pages a local webhook standing in for"
          + " on-call. The loss rules count a loss only once Prometheus has known the services for a minute:");
      monitoring.start(stack);
      long startEpochNanos = System.currentTimeMillis() * 1_000_000;
      long startNanos = System.nanoTime();
      for (Fault fault : options.faults()) {
        stack.fault(fault, true);
        out.println("Fault on: " + fault.id() + " — " + fault.description());
      }
      out.printf("Customers order %.1f per second for %d s; sellers are the CRM's auto-confirmation; operators"
          + " open the orders page and take priced orders into work.%n", options.rate(), options.duration().toSeconds());
      LoadGenerator.Summary summary = new LoadGenerator(stack.client(), new LoadGenerator.Settings(options.rate(),
          options.duration(), options.drain(), false, 1, true), out).run();
      out.println();
      out.println("Summary: " + summary.render());
      measured(monitoring);
      out.println("  logs: " + workDir.resolve("logs"));
      awaitPages(monitoring);
      LoupeView.print(out, summary, monitoring, workDir.resolve("logs"), startEpochNanos, startNanos);
      return summary;
    } finally {
      stack.close();
      monitoring.close();
      try {
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
      } catch (IllegalStateException e) {
        // already shutting down: the hook is running or has run
      }
      out.println("Demo finished; everything it started is stopped.");
    }
  }

  /** The Collector binary, built the first time (about 8 minutes); none if it cannot be had. */
  private Path collector() {
    try {
      return LoupeCollector.binary();
    } catch (CollectorUnavailableException | IOException e) {
      out.println("No Collector (" + e.getMessage() + "): Prometheus scrapes the agents instead, and no trace names"
          + " the lost orders.");
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * After a loss, waits for the page it must cause (a definitive loss pages within a minute) and for the
   * loss spans to pass tail sampling's decision wait; 90 s at most.
   */
  private void awaitPages(Monitoring monitoring) throws InterruptedException {
    long deadline = System.nanoTime() + PAGE_WAIT.toNanos();
    boolean told = false;
    while (System.nanoTime() < deadline) {
      boolean lost = monitoring.tempo().map(t -> !LoupeView.named(t).isEmpty()).orElse(false) || lossCounted(monitoring);
      if (!lost && !told) {
        // nothing lost (yet): a short look only, for the spans still on their way
        deadline = Math.min(deadline, System.nanoTime() + Duration.ofSeconds(15).toNanos());
      }
      if (lost && !Page.all(monitoring.webhook(), "/oncall").isEmpty()) {
        Thread.sleep(10_000);
        return;
      }
      if (lost && !told) {
        out.println("Loupe counted lost orders; waiting for the page on-call would receive (at most "
            + PAGE_WAIT.toSeconds() + " s)...");
        told = true;
        deadline = System.nanoTime() + PAGE_WAIT.toNanos();
      }
      Thread.sleep(1000);
    }
  }

  private static boolean lossCounted(Monitoring monitoring) {
    try {
      return monitoring.prometheus().sum("(sum(loupe_messages_lost_total) or vector(0))"
          + " + (sum(loupe_exceptions_swallowed_total) or vector(0))").orElse(0) > 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** What each agent measured, as Prometheus has it: the HTTP server requests of each service. */
  private void measured(Monitoring monitoring) throws IOException, InterruptedException {
    var result = monitoring.prometheus().query("sum by (service) (http_server_request_duration_seconds_count)");
    for (var series : result) {
      out.printf("  %-8s agent measured %d HTTP server requests%n", series.path("metric").path("service").asText(),
          Math.round(Double.parseDouble(series.path("value").get(1).asText())));
    }
  }

  private static Path fresh(Path dir) {
    try {
      if (Files.exists(dir)) {
        try (Stream<Path> all = Files.walk(dir)) {
          for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare " + dir, e);
    }
  }

}
