package dev.loupe.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * The Collector for tests: {@link LoupeCollector#binary()}, skipping the test (with the locator's
 * message) where there is none, and runs of it with an environment free of the developer's LOUPE_*
 * settings.
 */
final class Otelcol {

  private Otelcol() {}

  /** The binary; aborts the calling test as skipped if there is neither LOUPE_OTELCOL nor Go. */
  static Path binary() throws IOException, InterruptedException {
    try {
      return LoupeCollector.binary();
    } catch (CollectorUnavailableException e) {
      Assumptions.abort(e.getMessage());
      throw new AssertionError("unreachable");
    }
  }

  /** Whether the binary is one named by LOUPE_OTELCOL rather than loupe-otelcol built from the manifest. */
  static boolean external() throws IOException {
    return LoupeCollector.fromEnvironment().external();
  }

  record Result(int exit, String output) {}

  /** Runs the binary with {@code args} to its end (at most {@code timeout}); output and error together. */
  static Result run(Map<String, String> env, Duration timeout, String... args) throws IOException, InterruptedException {
    Process process = start(env, args);
    Output output = Output.of(process);
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("otelcol " + String.join(" ", args) + " did not end in " + timeout + ":\n" + output.text());
    }
    return new Result(process.exitValue(), output.text());
  }

  /** Starts the binary with {@code args}; the caller stops it. */
  static Process start(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(binary().toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("LOUPE_"));
    pb.environment().putAll(env);
    return pb.start();
  }

  /**
   * An override that puts the local variant's listeners on free loopback ports, its queues in the test's
   * folder, its backends on ports where nothing listens, and its scrape targets likewise, so that it can
   * run beside anything else on the machine; written into {@code dir}, where its queues go too.
   */
  static Path localPorts(Path dir) throws IOException {
    Path file = dir.resolve("ports.yaml");
    String closed = "127.0.0.1:" + freePort();
    Files.writeString(file, """
        extensions:
          health_check:
            endpoint: 127.0.0.1:%d
          file_storage/queues:
            directory: %s
        receivers:
          otlp:
            protocols:
              grpc:
                endpoint: 127.0.0.1:%d
              http:
                endpoint: 127.0.0.1:%d
          otlp/frontend:
            protocols:
              http:
                endpoint: 127.0.0.1:%d
          prometheus/legacy:
            config:
              scrape_configs:
                - job_name: nothing
                  static_configs:
                    - targets: ["%s"]
        exporters:
          otlp_grpc/tempo:
            endpoint: %s
          otlp_http/loki:
            endpoint: http://%s/otlp
          prometheus_remote_write:
            endpoint: http://%s/api/v1/write
        service:
          telemetry:
            metrics:
              readers:
                - pull:
                    exporter:
                      prometheus:
                        host: 127.0.0.1
                        port: %d
        """.formatted(freePort(), dir.resolve("queues"), freePort(), freePort(), freePort(), closed, closed,
        closed, closed, freePort()));
    Files.createDirectories(dir.resolve("queues"));
    return file;
  }

  static String healthEndpoint(Path ports) throws IOException {
    Matcher m = Pattern.compile("health_check:\\s+endpoint: (\\S+)").matcher(Files.readString(ports));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  /** A free loopback port (free when asked; nothing holds it afterwards). */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Collects a process's output on a thread of its own. */
  static final class Output {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Thread reader;

    private Output(InputStream in) {
      reader = new Thread(() -> {
        byte[] buffer = new byte[8192];
        try {
          for (int n; (n = in.read(buffer)) >= 0; ) {
            synchronized (bytes) {
              bytes.write(buffer, 0, n);
            }
          }
        } catch (IOException closed) {
          // the process was destroyed: what was read is all there is
        }
      }, "otelcol output");
      reader.setDaemon(true);
      reader.start();
    }

    static Output of(Process process) {
      return new Output(process.getInputStream());
    }

    /** Everything read so far (all of it once the process has ended and the stream closed). */
    String text() throws InterruptedException {
      reader.join(Duration.ofMillis(200).toMillis());
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
