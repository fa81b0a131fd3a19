package dev.loupe.alerts;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The repository's alerting files and the Prometheus tools that check them (Debian packages). */
final class Tools {

  static final Path REPOSITORY = Path.of(System.getProperty("loupe.repository", "..")).toAbsolutePath().normalize();
  static final Path ALERT_RULES = REPOSITORY.resolve("alert-rules");
  static final Path RULES = ALERT_RULES.resolve("rules");
  static final Path RULE_TESTS = ALERT_RULES.resolve("tests");
  static final Path ALERTMANAGER = ALERT_RULES.resolve("alertmanager");
  static final Path RUNBOOKS = ALERT_RULES.resolve("runbooks");

  record Result(int exit, String output) {}

  private Tools() {}

  /** Runs a command to its end and returns its exit code and its output (stdout and stderr). */
  static Result run(Path workDir, Duration timeout, List<String> command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(command.get(0) + " is not installed: apt-get install " + packageOf(command.get(0))
          + " (as .ci/run does)", e);
    }
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  static String packageOf(String binary) {
    return binary.equals("promtool") || binary.equals("prometheus") ? "prometheus" : "prometheus-alertmanager";
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
