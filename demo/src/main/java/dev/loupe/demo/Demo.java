package dev.loupe.demo;

import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.LoadGenerator;
import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The demo: the three legacy services under the OpenTelemetry Java agent, customers, sellers and
 * operators at work for a short while, a summary of what became of the orders, and everything
 * stopped again, on exit or Ctrl-C.
 */
public final class Demo {

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
    } catch (RuntimeException e) {
      System.err.println("demo failed: " + e.getMessage());
      System.exit(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      System.exit(130);
    }
  }

  /** Runs the demo and returns the load generator's summary. */
  LoadGenerator.Summary run() throws InterruptedException {
    Path agent = repository.resolve("demo/target/agent/opentelemetry-javaagent.jar");
    Path extension = repository.resolve("agent-extension/target/loupe-agent-extension.jar");
    for (Path jar : List.of(agent, extension)) {
      if (!Files.isReadable(jar)) {
        throw new IllegalStateException(jar + " is missing; build first (mvn package)");
      }
    }
    Path workDir = fresh(repository.resolve("demo/target/run"));
    Map<Service, AgentMetrics> agents = new EnumMap<>(Service.class);
    Map<Service, Integer> agentPorts = new EnumMap<>(Service.class);
    for (Service s : Service.values()) {
      agentPorts.put(s, freePort());
      agents.put(s, new AgentMetrics(agentPorts.get(s)));
    }
    Stack stack = Stack.builder(repository)
        .workDir(workDir)
        .useLocalServices(!options.privateServices())
        .calculation(options.calculation())
        .historyOrders(100_000)
        .jvmOptions(service -> agentOptions(agent, extension, repository, service, agentPorts.get(service)))
        .progress(line -> out.println("  " + line))
        .create();
    Thread stopOnExit = new Thread(() -> {
      out.println("Stopping everything the demo started...");
      stack.close();
      out.println("Stopped.");
    }, "demo-stop");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    try {
      out.println("Starting the order pipeline with the OpenTelemetry Java agent on every service:");
      stack.start();
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
      for (Service s : Service.values()) {
        out.printf("  %-8s agent measured %s HTTP server requests (%s)%n", s.id(), requests(agents.get(s)),
            agents.get(s).endpoint());
      }
      out.println("  logs: " + workDir.resolve("logs"));
      return summary;
    } finally {
      stack.close();
      try {
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
      } catch (IllegalStateException e) {
        // already shutting down: the hook is running or has run
      }
      out.println("Demo finished; everything it started is stopped.");
    }
  }

  /** The flags the agent needs on each service: nothing else of the service changes. */
  public static List<String> agentOptions(Path agent, Path extension, Path repository, Service service, int metricsPort) {
    List<String> o = new ArrayList<>();
    o.add("-javaagent:" + agent);
    o.add("-Dotel.javaagent.extensions=" + extension);
    o.add("-Dotel.javaagent.configuration-file="
        + repository.resolve("agent-extension/config/" + service.id() + ".properties"));
    o.add("-Dotel.resource.attributes=service.namespace=jewelry,deployment.environment.name=demo");
    // no Collector in the demo: metrics on a loopback Prometheus endpoint, traces and logs stay home
    o.add("-Dotel.traces.exporter=none");
    o.add("-Dotel.logs.exporter=none");
    o.add("-Dotel.metrics.exporter=prometheus");
    o.add("-Dotel.exporter.prometheus.host=127.0.0.1");
    o.add("-Dotel.exporter.prometheus.port=" + metricsPort);
    return o;
  }

  private static String requests(AgentMetrics agent) {
    try {
      return Long.toString(agent.serverRequests());
    } catch (IOException e) {
      return "no answer (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
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

  private static int freePort() {
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
