package dev.loupe.collector;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds the OpenTelemetry Collector binary Loupe's tests run: an external one if {@value #BINARY_ENV}
 * (or the system property {@value #BINARY_PROPERTY}) names it, else {@code loupe-otelcol} built with
 * the OpenTelemetry Collector Builder from {@code collector-config/distribution/manifest.yaml}
 * (packaged in this jar as {@value #MANIFEST_RESOURCE}).
 *
 * <p>A built binary is cached under {@code ${XDG_CACHE_HOME:-~/.cache}/loupe/otelcol/<sha256 of the
 * manifest>/} (or under {@value #CACHE_ENV} / {@value #CACHE_PROPERTY}), so it is built once per
 * manifest and machine, survives {@code mvn clean} and is shared by every clone; a changed manifest gets
 * a new key and a new build. The builder itself is installed with {@code go install} into
 * {@code <cache>/tools/builder-<version>/}. Building takes minutes and prints its progress; concurrent
 * builds of one manifest (two JVMs) wait for each other through a file lock.
 *
 * <p>Use {@link #binary()} from any test; it throws {@link CollectorUnavailableException} (for a skip)
 * when there is neither an external binary nor Go.
 */
public final class LoupeCollector {

  /** Environment variable naming an external Collector binary (e.g. an otelcol-contrib) to use instead. */
  public static final String BINARY_ENV = "LOUPE_OTELCOL";
  /** System property with the same meaning as {@value #BINARY_ENV}; it wins over the variable. */
  public static final String BINARY_PROPERTY = "loupe.otelcol";
  /** Environment variable naming the cache folder for built binaries. */
  public static final String CACHE_ENV = "LOUPE_OTELCOL_CACHE";
  /** System property with the same meaning as {@value #CACHE_ENV}; it wins over the variable. */
  public static final String CACHE_PROPERTY = "loupe.otelcol.cache";
  /** Where this jar carries the builder manifest. */
  public static final String MANIFEST_RESOURCE = "/dev/loupe/collector/manifest.yaml";

  private static final String BUILDER_MODULE = "go.opentelemetry.io/collector/cmd/builder";
  private static final String STAMP = "manifest.sha256";
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(60);
  private static final Duration HEARTBEAT = Duration.ofSeconds(30);

  private static Path resolved;
  private static Exception failed;

  private final Manifest manifest;
  private final Path cacheRoot;
  private final Path external;
  private final Path go;
  private final Map<String, String> environment;
  private final PrintStream progress;

  private LoupeCollector(Manifest manifest, Path cacheRoot, Path external, Path go, Map<String, String> environment,
      PrintStream progress) {
    this.manifest = manifest;
    this.cacheRoot = cacheRoot.toAbsolutePath().normalize();
    this.external = external;
    this.go = go;
    this.environment = Map.copyOf(environment);
    this.progress = progress;
  }

  /**
   * The Collector binary for this JVM, found or built once and remembered (and so is a failure, so
   * that a broken build is not retried by every test): see the class comment.
   *
   * @return an executable file
   * @throws CollectorUnavailableException if no external binary is set and Go is not installed
   * @throws IOException if the external binary is not an executable file, or the build fails (the
   *     message carries the end of the builder's output and where its full log is)
   * @throws InterruptedException if interrupted while building
   */
  public static synchronized Path binary() throws IOException, InterruptedException, CollectorUnavailableException {
    if (resolved == null && failed == null) {
      try {
        resolved = fromEnvironment().resolve();
      } catch (IOException | CollectorUnavailableException e) {
        failed = e;
        throw e;
      }
    }
    if (failed instanceof CollectorUnavailableException e) {
      throw new CollectorUnavailableException(e.getMessage());
    }
    if (failed != null) {
      throw new IOException("finding or building the Collector failed earlier in this JVM: " + failed.getMessage(), failed);
    }
    return resolved;
  }

  /**
   * A locator configured from this JVM: the packaged manifest, {@value #BINARY_PROPERTY} /
   * {@value #BINARY_ENV}, {@value #CACHE_PROPERTY} / {@value #CACHE_ENV} (default
   * {@code ${XDG_CACHE_HOME:-~/.cache}/loupe/otelcol}), {@code go} from {@code PATH} (else
   * {@code $GOROOT/bin/go}, else {@code /usr/local/go/bin/go}), progress to {@code System.out}.
   *
   * @throws IOException if this jar lacks the manifest or it does not parse
   */
  public static LoupeCollector fromEnvironment() throws IOException {
    Map<String, String> env = System.getenv();
    String externalSetting = setting(BINARY_PROPERTY, BINARY_ENV);
    String cacheSetting = setting(CACHE_PROPERTY, CACHE_ENV);
    Path cache;
    if (cacheSetting != null) {
      cache = Path.of(cacheSetting);
    } else {
      String xdg = env.get("XDG_CACHE_HOME");
      Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
      cache = base.resolve("loupe").resolve("otelcol");
    }
    return new LoupeCollector(packagedManifest(), cache, externalSetting == null ? null : Path.of(externalSetting),
        findGo(env), env, System.out);
  }

  /**
   * A locator with everything given, for tests and tools.
   *
   * @param manifest the distribution to build
   * @param cacheRoot the cache folder (created when needed)
   * @param external an external binary to use instead of building, or null
   * @param go the {@code go} command, or null if there is none
   * @param environment the environment for the {@code go} and builder processes
   * @param progress where build progress goes
   */
  public static LoupeCollector of(Manifest manifest, Path cacheRoot, Path external, Path go,
      Map<String, String> environment, PrintStream progress) {
    return new LoupeCollector(manifest, cacheRoot, external, go, environment, progress);
  }

  /**
   * The builder manifest this jar carries.
   *
   * @throws IOException if it is missing or does not parse
   */
  public static Manifest packagedManifest() throws IOException {
    try (InputStream in = LoupeCollector.class.getResourceAsStream(MANIFEST_RESOURCE)) {
      if (in == null) {
        throw new IOException("the class path lacks " + MANIFEST_RESOURCE + " (collector-config's build packages it)");
      }
      return Manifest.parse(in.readAllBytes(), MANIFEST_RESOURCE);
    }
  }

  /** Whether an external binary was configured instead of building {@code loupe-otelcol}. */
  public boolean external() {
    return external != null;
  }

  /** The manifest this locator builds from. */
  public Manifest manifest() {
    return manifest;
  }

  /** Where the binary built from the manifest lives (or will): {@code <cache>/<sha256>/<dist.name>}. */
  public Path cachedBinary() {
    return cacheRoot.resolve(manifest.sha256()).resolve(manifest.name());
  }

  /**
   * The external binary if one is set; else the cached build of the manifest if complete; else builds
   * it (minutes) and returns it.
   *
   * @return an executable file
   * @throws CollectorUnavailableException if no external binary is set, none is cached and there is no Go
   * @throws IOException if the external binary is not an executable file, or the build fails
   * @throws InterruptedException if interrupted while building
   */
  public Path resolve() throws IOException, InterruptedException, CollectorUnavailableException {
    if (external != null) {
      if (!Files.isRegularFile(external) || !Files.isExecutable(external)) {
        throw new IOException(BINARY_ENV + " (or -D" + BINARY_PROPERTY + ") names " + external
            + ", which is not an executable file");
      }
      return external;
    }
    Path binary = cachedBinary();
    if (complete(binary)) {
      return binary;
    }
    if (go == null) {
      throw new CollectorUnavailableException("No OpenTelemetry Collector to run: " + BINARY_ENV
          + " is not set and Go is not installed (no 'go' on PATH) to build " + manifest.name()
          + " from collector-config/distribution/manifest.yaml. Install Go, or set " + BINARY_ENV + "=/path/to/otelcol"
          + " (or -D" + BINARY_PROPERTY + "=...) to a Collector that has the manifest's components.");
    }
    Files.createDirectories(cacheRoot);
    try (FileChannel channel = FileChannel.open(cacheRoot.resolve(manifest.sha256() + ".lock"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      if (!complete(binary)) {
        build(binary);
      }
    }
    return binary;
  }

  private boolean complete(Path binary) throws IOException {
    Path stamp = binary.resolveSibling(STAMP);
    return Files.isExecutable(binary) && Files.isRegularFile(stamp)
        && Files.readString(stamp).trim().equals(manifest.sha256());
  }

  private void build(Path binary) throws IOException, InterruptedException {
    long start = System.nanoTime();
    String builderVersion = manifest.builderVersion();
    Path work = cacheRoot.resolve(manifest.sha256() + ".work");
    deleteTree(work);
    Files.createDirectories(work);
    Files.write(work.resolve("manifest.yaml"), manifest.bytes());
    Path log = work.resolve("build.log");
    say("building " + manifest.name() + " " + manifest.version() + " from its manifest (sha256 "
        + manifest.sha256().substring(0, 12) + "...) with " + go + "; this takes minutes on a cold Go module cache");
    say("into " + binary.getParent() + "; full log: " + log);
    try (Writer logWriter = Files.newBufferedWriter(log)) {
      Path builder = install(BUILDER_MODULE, builderVersion, work, logWriter);
      run(List.of(builder.toString(), "--config", "manifest.yaml"), work, goEnvironment(), logWriter, "builder");
    }
    Path built = work.resolve(manifest.outputPath()).resolve(manifest.name()).normalize();
    if (!Files.isExecutable(built)) {
      throw new IOException("the builder finished but wrote no " + built + "; see " + log);
    }
    Path dir = binary.getParent();
    deleteTree(dir);
    Files.createDirectories(dir);
    Files.move(built, binary, StandardCopyOption.ATOMIC_MOVE);
    Files.copy(work.resolve("manifest.yaml"), dir.resolve("manifest.yaml"));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    Files.writeString(log, "built in " + format(took) + "\n", StandardOpenOption.APPEND);
    Files.move(log, dir.resolve("build.log"));
    Files.writeString(dir.resolve(STAMP), manifest.sha256() + "\n");
    deleteTree(work);
    say("built " + binary + " in " + format(took));
  }

  /**
   * A Go command of the Collector project at {@code version} (for the benchmarks, {@code telemetrygen}, the
   * project's load generator), installed once with {@code go install module@version} into
   * {@code <cache>/tools/<name>-<version>/} beside the builder, and reused; the install's output is in
   * {@code build.log} there.
   *
   * @param module the Go module path of a main package; its last element names the command
   * @throws CollectorUnavailableException if it is not installed and there is no Go
   * @throws IOException if {@code go install} fails (the message carries its last lines)
   */
  public Path tool(String module, String version) throws IOException, InterruptedException, CollectorUnavailableException {
    Path installed = toolPath(module, version);
    if (Files.isExecutable(installed)) {
      return installed;
    }
    if (go == null) {
      throw new CollectorUnavailableException("No " + module + "@" + version + " in " + installed.getParent()
          + " and Go is not installed (no 'go' on PATH) to install it.");
    }
    Files.createDirectories(installed.getParent());
    try (Writer log = Files.newBufferedWriter(installed.resolveSibling("build.log"))) {
      return install(module, version, installed.getParent(), log);
    }
  }

  private Path toolPath(String module, String version) {
    String name = module.substring(module.lastIndexOf('/') + 1);
    return cacheRoot.resolve("tools").resolve(name + "-" + version).resolve(name);
  }

  /** {@code go install module@version} into its tool folder unless it is there already. */
  private Path install(String module, String version, Path dir, Writer log) throws IOException, InterruptedException {
    Path installed = toolPath(module, version);
    if (!Files.isExecutable(installed)) {
      say("installing " + module + "@" + version);
      Map<String, String> env = goEnvironment();
      env.put("GOBIN", installed.getParent().toString());
      run(List.of(go.toString(), "install", module + "@" + version), dir, env, log, "go install");
    }
    return installed;
  }

  private Map<String, String> goEnvironment() {
    Map<String, String> env = new HashMap<>(environment);
    String flags = env.getOrDefault("GOFLAGS", "");
    if (!flags.contains("-buildvcs")) {
      env.put("GOFLAGS", (flags + " -buildvcs=false").trim());
    }
    env.putIfAbsent("GOTOOLCHAIN", "local");
    String path = env.getOrDefault("PATH", "");
    env.put("PATH", go.getParent() + (path.isEmpty() ? "" : java.io.File.pathSeparator + path));
    return env;
  }

  private void run(List<String> command, Path dir, Map<String, String> env, Writer log, String what)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(env);
    long start = System.nanoTime();
    Process process = pb.start();
    Deque<String> tail = new ArrayDeque<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          synchronized (tail) {
            log.write(line + "\n");
            tail.addLast(line);
            if (tail.size() > 40) {
              tail.removeFirst();
            }
          }
          if (!line.startsWith("go: downloading")) {
            say(what + ": " + line);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, "loupe-otelcol " + what);
    reader.setDaemon(true);
    reader.start();
    long deadline = start + BUILD_TIMEOUT.toNanos();
    while (!process.waitFor(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS)) {
      if (System.nanoTime() > deadline) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new IOException(what + " did not finish in " + format(BUILD_TIMEOUT) + "; see " + dir.resolve("build.log"));
      }
      say(what + ": still running, " + format(Duration.ofNanos(System.nanoTime() - start)));
    }
    reader.join(TimeUnit.SECONDS.toMillis(10));
    if (process.exitValue() != 0) {
      String end;
      synchronized (tail) {
        end = String.join("\n", tail);
      }
      throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "); its last lines:\n"
          + end + "\nfull log: " + dir.resolve("build.log"));
    }
  }

  private void say(String line) {
    progress.println("[loupe-otelcol] " + line);
    progress.flush();
  }

  private static String format(Duration d) {
    return d.toMinutes() + "m" + String.format("%02d", d.toSecondsPart()) + "s";
  }

  private static String setting(String property, String variable) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      value = System.getenv(variable);
    }
    return value == null || value.isBlank() ? null : value;
  }

  /**
   * The {@code go} command: the first executable {@code go} on {@code PATH}, else {@code $GOROOT/bin/go},
   * else {@code /usr/local/go/bin/go} (where Go's own installer puts it).
   *
   * @param environment the environment to read {@code PATH} and {@code GOROOT} from
   * @return the command, or null if there is none
   */
  public static Path findGo(Map<String, String> environment) {
    String path = environment.getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "go")) && !Files.isDirectory(Path.of(dir, "go"))) {
        return Path.of(dir, "go").toAbsolutePath();
      }
    }
    String goroot = environment.get("GOROOT");
    if (goroot != null && Files.isExecutable(Path.of(goroot, "bin", "go"))) {
      return Path.of(goroot, "bin", "go");
    }
    Path standard = Path.of("/usr/local/go/bin/go");
    return Files.isExecutable(standard) ? standard : null;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
