package dev.loupe.agent.harness;

import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sample apps under the real OpenTelemetry Java agent (the pinned release, from Maven Central),
 * with or without the built Loupe extension, exporting to an {@link OtlpReceiver}.
 */
public final class AgentStack {

  private AgentStack() {}

  public static Path repository() {
    return Path.of(System.getProperty("loupe.repository", "..")).toAbsolutePath().normalize();
  }

  /**
   * Starts the stack. {@code extra} adds system properties per service (e.g. a bad setting).
   */
  public static Stack start(String name, OtlpReceiver receiver, boolean withExtension,
      Map<Service, List<String>> extra) {
    return start(name, receiver.endpoint(), withExtension, extra);
  }

  /** Starts the stack exporting to {@code endpoint}, which need not answer (see {@code OverheadBenchmark}). */
  public static Stack start(String name, String endpoint, boolean withExtension, Map<Service, List<String>> extra) {
    Path repo = repository();
    return Stack.builder(repo)
        .workDir(repo.resolve("agent-extension/target/" + name + "-" + ProcessHandle.current().pid()))
        .calculation(Duration.ofMillis(300))
        .progress(line -> System.out.println("[" + name + "] " + line))
        .jvmOptions(service -> {
          List<String> o = new ArrayList<>();
          o.add("-javaagent:" + repo.resolve("agent-extension/target/agent/opentelemetry-javaagent.jar"));
          if (withExtension) {
            o.add("-Dotel.javaagent.extensions=" + repo.resolve("agent-extension/target/loupe-agent-extension.jar"));
          }
          o.add("-Dotel.javaagent.configuration-file="
              + repo.resolve("agent-extension/config/" + service.id() + ".properties"));
          o.add("-Dotel.exporter.otlp.endpoint=" + endpoint);
          o.add("-Dotel.exporter.otlp.protocol=http/protobuf");
          o.add("-Dotel.traces.exporter=otlp");
          o.add("-Dotel.logs.exporter=otlp");
          o.add("-Dotel.metrics.exporter=otlp");
          o.add("-Dotel.bsp.schedule.delay=200");
          o.add("-Dotel.blrp.schedule.delay=200");
          o.add("-Dotel.metric.export.interval=2000");
          o.addAll(extra.getOrDefault(service, List.of()));
          return o;
        })
        .start();
  }

  /**
   * The command that starts a test's own small service (not a sample app) under the real agent with the
   * built extension, exporting every signal to {@code receiver} at a test's pace: {@code java}, the agent
   * and exporter options, then {@code rest} (more options, {@code -cp}, the main class, its arguments).
   */
  public static List<String> javaWithAgent(OtlpReceiver receiver, String... rest) {
    Path repo = repository();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-javaagent:" + repo.resolve("agent-extension/target/agent/opentelemetry-javaagent.jar"),
        "-Dotel.javaagent.extensions=" + repo.resolve("agent-extension/target/loupe-agent-extension.jar"),
        "-Dotel.exporter.otlp.endpoint=" + receiver.endpoint(),
        "-Dotel.exporter.otlp.protocol=http/protobuf",
        "-Dotel.traces.exporter=otlp", "-Dotel.logs.exporter=otlp", "-Dotel.metrics.exporter=otlp",
        "-Dotel.bsp.schedule.delay=200", "-Dotel.blrp.schedule.delay=200", "-Dotel.metric.export.interval=1000"));
    command.addAll(List.of(rest));
    return command;
  }

  /** Stops what a test class started, whichever of the two got going. */
  public static void stop(Stack stack, OtlpReceiver receiver) {
    if (stack != null) {
      stack.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }
}
