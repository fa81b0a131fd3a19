package dev.loupe.drills;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server the drills start as a child process on loopback (Prometheus, Alertmanager, a Collector), its
 * output in a log file, ready once an HTTP probe answers 200, and stopped with {@link #close()}.
 */
public class Daemon implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final URI url;
  private final Path log;
  private final Process process;

  protected Daemon(Daemon started) {
    this(started.name, started.url, started.log, started.process);
  }

  private Daemon(String name, URI url, Path log, Process process) {
    this.name = name;
    this.url = url;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts {@code command} in {@code dir} (created) with {@code environment} added, and waits until
   * {@code probe} (a URL) answers 200.
   *
   * @param url the daemon's base URL, for {@link #get}
   * @throws IllegalStateException if the command is not installed (naming the Debian package that has
   *     it), exits while starting, or is not ready within {@code timeout} — with its log
   */
  public static Daemon start(String name, Path dir, List<String> command, Map<String, String> environment, URI url,
      URI probe, Duration timeout) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path log = dir.resolve(name.toLowerCase().replace(' ', '-') + ".log");
    Process p;
    try {
      ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(environment);
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException(command.get(0) + " could not start (" + e.getMessage() + "); "
          + Tools.installHint(command.get(0)), e);
    }
    Daemon d = new Daemon(name, url, log, p);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!p.isAlive()) {
        throw new IllegalStateException(name + " exited with " + p.exitValue() + " while starting:\n" + d.logText());
      }
      try {
        if (HTTP.send(HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return d;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        d.close();
        throw new IllegalStateException(name + " was not ready within " + timeout.toSeconds() + " s:\n" + d.logText());
      }
      Thread.sleep(200);
    }
  }

  public String name() {
    return name;
  }

  public URI url() {
    return url;
  }

  public Path log() {
    return log;
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** GET {@code path} relative to {@link #url()}; a 10 s timeout. */
  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** POST a JSON body to {@code path} relative to {@link #url()}; a 10 s timeout. */
  public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The whole log, or a note saying why there is none. */
  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Ends the process at once with SIGKILL, as a crash would: nothing is flushed. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** Asks the process to stop (SIGTERM) and kills it after 20 s. */
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
