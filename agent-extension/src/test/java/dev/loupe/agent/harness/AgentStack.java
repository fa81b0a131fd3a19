package dev.loupe.agent.harness;

import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

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
    return start(name, endpoint, withExtension, extra, Map.of());
  }

  /**
   * Starts the stack exporting to {@code receiver}, with the services named in {@code javaHomes} on
   * those JDKs (see {@link #newerJdk()}) and the others on the build's.
   */
  public static Stack start(String name, OtlpReceiver receiver, boolean withExtension,
      Map<Service, List<String>> extra, Map<Service, Path> javaHomes) {
    return start(name, receiver.endpoint(), withExtension, extra, javaHomes);
  }

  private static Stack start(String name, String endpoint, boolean withExtension, Map<Service, List<String>> extra,
      Map<Service, Path> javaHomes) {
    Path repo = repository();
    Stack.Builder builder = Stack.builder(repo);
    javaHomes.forEach(builder::javaHome);
    return builder
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
   * The command that runs {@code mainClass} of a small legacy service in a JVM of its own under the real
   * agent and the built extension, exporting to {@code endpoint} over OTLP/HTTP with short batch delays;
   * {@code options} adds system properties (exporters, settings), {@code args} are the service's.
   */
  public static List<String> legacyService(String endpoint, List<String> classpath, List<String> options,
      String mainClass, String... args) {
    Path repo = repository();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-javaagent:" + repo.resolve("agent-extension/target/agent/opentelemetry-javaagent.jar"),
        "-Dotel.javaagent.extensions=" + repo.resolve("agent-extension/target/loupe-agent-extension.jar"),
        "-Dotel.exporter.otlp.endpoint=" + endpoint,
        "-Dotel.exporter.otlp.protocol=http/protobuf",
        "-Dotel.bsp.schedule.delay=200", "-Dotel.blrp.schedule.delay=200"));
    command.addAll(options);
    command.add("-cp");
    command.add(String.join(java.io.File.pathSeparator, classpath));
    command.add(mainClass);
    command.addAll(List.of(args));
    return command;
  }

  /**
   * The newest JDK installed beside the build's whose Java release is newer than the build's: the
   * directory named by {@code -Dloupe.newer-jdk}, else the newest under {@code /usr/lib/jvm} (where
   * Debian's and Adoptium's packages install), judged by {@code JAVA_VERSION} in its {@code release}
   * file. Empty if there is none (the project's machines have Temurin 25; Debian 12 packages only 17).
   */
  public static Optional<Path> newerJdk() {
    String named = System.getProperty("loupe.newer-jdk");
    if (named != null && !named.isBlank()) {
      return Optional.of(Path.of(named));
    }
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    try (Stream<Path> homes = Files.list(jvms)) {
      return homes.filter(home -> Files.isExecutable(home.resolve("bin/java")))
          .filter(home -> feature(home) > Runtime.version().feature())
          .max(Comparator.comparingInt(AgentStack::feature));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Java feature release of the JDK at {@code home} (25 for "25.0.3"), or 0 if it does not say. */
  public static int feature(Path home) {
    Properties release = new Properties();
    try (var in = Files.newBufferedReader(home.resolve("release"))) {
      release.load(in);
    } catch (IOException e) {
      return 0;
    }
    String version = release.getProperty("JAVA_VERSION", "").replace("\"", "");
    try {
      return Integer.parseInt(version.split("[.+-]")[0]);
    } catch (NumberFormatException e) {
      return 0;
    }
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
