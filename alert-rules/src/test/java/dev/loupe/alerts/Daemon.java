package dev.loupe.alerts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A Prometheus or Alertmanager the test starts on a free loopback port, and stops. */
class Daemon implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final String name;
  final URI url;
  final Path log;
  private final Process process;

  private Daemon(String name, URI url, Path log, Process process) {
    this.name = name;
    this.url = url;
    this.log = log;
    this.process = process;
  }

  /**
   * Alertmanager with the repository's alertmanager.yml and templates, copied unchanged into
   * {@code dir}, and the given secret files under {@code dir/secrets}.
   */
  static Daemon alertmanager(Path dir, java.util.Map<String, String> secrets) throws Exception {
    Files.createDirectories(dir.resolve("templates"));
    Files.createDirectories(dir.resolve("secrets"));
    Files.copy(Tools.ALERTMANAGER.resolve("alertmanager.yml"), dir.resolve("alertmanager.yml"));
    try (var templates = Files.list(Tools.ALERTMANAGER.resolve("templates"))) {
      for (Path t : templates.toList()) {
        Files.copy(t, dir.resolve("templates").resolve(t.getFileName()));
      }
    }
    for (var secret : secrets.entrySet()) {
      Files.writeString(dir.resolve("secrets").resolve(secret.getKey()), secret.getValue());
    }
    int port = Tools.freePort();
    return start("Alertmanager", dir, port, List.of("prometheus-alertmanager",
        "--config.file=alertmanager.yml",
        "--storage.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--cluster.listen-address=",
        "--log.level=info"));
  }

  /** Prometheus with {@code config} (rules referenced from it), evaluating and resending every few seconds. */
  static Daemon prometheus(Path dir, Path config, int port) throws Exception {
    return start("Prometheus", dir, port, List.of("prometheus",
        "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--rules.alert.resend-delay=2s",
        "--web.enable-lifecycle"));
  }

  private static Daemon start(String name, Path dir, int port, List<String> command) throws Exception {
    Path log = dir.resolve(name.toLowerCase() + ".log");
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new AssertionError(command.get(0) + " is not installed: apt-get install " + Tools.packageOf(command.get(0))
          + " (as .ci/run does)", e);
    }
    Daemon d = new Daemon(name, URI.create("http://127.0.0.1:" + port), log, p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      if (!p.isAlive()) {
        throw new AssertionError(name + " exited with " + p.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        if (d.get("/-/ready").statusCode() == 200) {
          return d;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        d.close();
        throw new AssertionError(name + " was not ready within 60 s:\n" + Files.readString(log));
      }
      Thread.sleep(200);
    }
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
