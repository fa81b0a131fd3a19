package dev.loupe.sample.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** S3 for the stack: s3proxy on a free loopback port, keeping objects in a local directory. */
public final class S3 implements AutoCloseable {

  public static final String ACCESS_KEY = "loupe-stack";
  public static final String SECRET_KEY = "loupe-stack-secret";
  public static final String BUCKET = "models";

  private final Path jar;
  private final Path dir;
  private final int port;
  private ManagedProcess process;

  private S3(Path jar, Path dir, int port) {
    this.jar = jar;
    this.dir = dir;
    this.port = port;
  }

  public static S3 start(Path s3proxyJar, Path dir) {
    if (!Files.isReadable(s3proxyJar)) {
      throw new IllegalStateException("s3proxy is missing at " + s3proxyJar + "; build the project first (mvn package)");
    }
    S3 s3 = new S3(s3proxyJar, dir, Waits.freePort());
    try {
      Files.createDirectories(dir.resolve("objects").resolve(BUCKET));
      Files.writeString(dir.resolve("s3proxy.conf"), String.join("\n",
          "s3proxy.endpoint=http://127.0.0.1:" + s3.port,
          "s3proxy.authorization=aws-v2-or-v4",
          "s3proxy.identity=" + ACCESS_KEY,
          "s3proxy.credential=" + SECRET_KEY,
          "jclouds.provider=filesystem",
          "jclouds.filesystem.basedir=" + dir.resolve("objects"),
          ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    s3.start();
    return s3;
  }

  /** Starts s3proxy (again, after {@link #stop()}). */
  public void start() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process = ManagedProcess.start("s3proxy", List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar",
        jar.toString(), "--properties", dir.resolve("s3proxy.conf").toString()), Map.of(), dir.resolve("s3proxy.log"));
    Waits.until("s3proxy on port " + port, Duration.ofSeconds(60), process, () -> Waits.listening("127.0.0.1", port));
  }

  /** Stops s3proxy: storage is down. */
  public void stop() {
    process.stop(Duration.ofSeconds(10));
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Where an object of the model bucket lies on disk. */
  public Path object(String key) {
    return dir.resolve("objects").resolve(BUCKET).resolve(key);
  }

  @Override
  public void close() {
    if (process != null && process.alive()) {
      stop();
    }
  }
}
