package dev.loupe.sample.stack;

import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.PipelineClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The whole order pipeline on one machine: Shop DB and MES DB, the broker, S3, and the three services as
 * separate JVMs. Tests, drills and the demo all start it the same way.
 */
public final class Stack implements AutoCloseable {

  /** What an app JVM gets besides its own settings: e.g. a Java agent. */
  public interface JvmOptions extends Function<Service, List<String>> {}

  private static final List<String> APP_JVM = List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1", "-Xss512k");

  /**
   * How long a service JVM may take to answer its health check: a few seconds on an idle machine, but
   * with the agent on a loaded 2-core machine start-up has been seen to take over a minute.
   */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
  /** How often a service that exited while starting is started again before the stack gives up. */
  private static final int START_ATTEMPTS = 3;

  private final Builder settings;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final Map<Service, ManagedProcess> apps = new EnumMap<>(Service.class);
  private final Map<Service, URI> urls = new EnumMap<>(Service.class);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Path directory;
  private Postgres shopDbServer;
  private Postgres mesDbServer;
  private String shopDb;
  private String mesDb;
  private Rabbit broker;
  private S3 s3;

  private Stack(Builder settings) {
    this.settings = settings;
  }

  public static Builder builder(Path repository) {
    return new Builder(repository);
  }

  /** How the stack is to be started. */
  public static final class Builder {
    private final Path repository;
    private Path workDir;
    private boolean useLocalServices;
    private JvmOptions jvmOptions = s -> List.of();
    private Function<Service, Map<String, String>> environment = s -> Map.of();
    private final Map<Service, Path> javaHomes = new EnumMap<>(Service.class);
    private Duration calculation = Duration.ofSeconds(1);
    private boolean autoConfirm = true;
    private int historyOrders = 20_000;
    private Consumer<String> progress = line -> {};

    private Builder(Path repository) {
      this.repository = repository.toAbsolutePath().normalize();
    }

    /** Where data, logs and the apps' output go; a new temporary directory if not set. */
    public Builder workDir(Path dir) {
      this.workDir = dir;
      return this;
    }

    /** Use PostgreSQL and RabbitMQ already running on this machine where they answer. */
    public Builder useLocalServices(boolean use) {
      this.useLocalServices = use;
      return this;
    }

    public Builder jvmOptions(JvmOptions options) {
      this.jvmOptions = options;
      return this;
    }

    /**
     * Environment variables each app JVM gets besides the machine's: e.g. {@code JAVA_TOOL_OPTIONS}, as a
     * systemd drop-in gives a service. Default: none.
     */
    public Builder environment(Function<Service, Map<String, String>> environment) {
      this.environment = environment;
      return this;
    }

    /**
     * Runs {@code service} on the JDK or JRE installed at {@code javaHome} (the directory holding
     * {@code bin/java}) rather than on the JVM running the stack; e.g. a service on the newest Java
     * while the others stay on the build's.
     */
    public Builder javaHome(Service service, Path javaHome) {
      this.javaHomes.put(service, javaHome);
      return this;
    }

    /** How long MES takes to price one order. */
    public Builder calculation(Duration duration) {
      this.calculation = duration;
      return this;
    }

    /** Whether the CRM confirms new orders itself or leaves them to sellers. */
    public Builder autoConfirm(boolean autoConfirm) {
      this.autoConfirm = autoConfirm;
      return this;
    }

    /** Finished orders MES starts with, for a realistic orders page. */
    public Builder historyOrders(int orders) {
      this.historyOrders = orders;
      return this;
    }

    /** Where to report what is being started. */
    public Builder progress(Consumer<String> progress) {
      this.progress = progress;
      return this;
    }

    /** A stack not yet started: hand its {@link #close()} to a shutdown hook, then {@link #start()} it. */
    public Stack create() {
      return new Stack(this);
    }

    public Stack start() {
      return create().start();
    }
  }

  /** Starts everything; on failure stops what had started and rethrows. */
  public Stack start() {
    try {
      startAll();
      return this;
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  private void startAll() {
    Path work = settings.workDir;
    try {
      if (work == null) {
        work = Files.createTempDirectory("loupe-stack-");
      }
      Files.createDirectories(work);
      // the private PostgreSQL runs as its own user and must be able to reach its directory
      Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path dir = work;
    directory = dir;
    settings.progress.accept("Stack directory: " + dir);

    var local = settings.useLocalServices ? Postgres.local() : java.util.Optional.<Postgres>empty();
    if (local.isPresent()) {
      shopDbServer = local.get();
      mesDbServer = local.get();
      shopDb = "loupe_shop";
      mesDb = "loupe_mes";
      settings.progress.accept("PostgreSQL: using the local server on port 5432 (databases loupe_shop, loupe_mes)");
    } else {
      shopDbServer = remember(Postgres.startPrivate(dir.resolve("shop-db")));
      mesDbServer = remember(Postgres.startPrivate(dir.resolve("mes-db")));
      shopDb = "shop";
      mesDb = "mes";
      settings.progress.accept("PostgreSQL: private Shop DB on port " + shopDbServer.port() + ", MES DB on port "
          + mesDbServer.port());
    }
    shopDbServer.recreateDatabase(shopDb);
    mesDbServer.recreateDatabase(mesDb);

    var localRabbit = settings.useLocalServices ? Rabbit.local() : java.util.Optional.<Rabbit>empty();
    if (localRabbit.isPresent()) {
      broker = localRabbit.get();
      broker.deleteQueues("mes.order-intake", "crm.order-status");
      settings.progress.accept("RabbitMQ: using the local broker on port 5672");
    } else {
      settings.progress.accept("RabbitMQ: starting a private node...");
      broker = remember(Rabbit.startPrivate(dir.resolve("rabbitmq")));
      settings.progress.accept("RabbitMQ: private node on port " + broker.port());
    }

    s3 = remember(S3.start(settings.repository.resolve("sample-apps/stack/target/runtime/s3proxy.jar"),
        dir.resolve("s3")));
    settings.progress.accept("S3: s3proxy at " + s3.endpoint());

    for (Service service : Service.values()) {
      urls.put(service, URI.create("http://127.0.0.1:" + Waits.freePort()));
    }
    settings.progress.accept("Starting shop-api, crm-api and mes-api...");
    List<CompletableFuture<Void>> starting = new ArrayList<>();
    for (Service service : Service.values()) {
      starting.add(CompletableFuture.runAsync(() -> startApp(service)));
    }
    try {
      CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    settings.progress.accept("Services up: shop-api " + urls.get(Service.SHOP) + ", crm-api " + urls.get(Service.CRM)
        + ", mes-api " + urls.get(Service.MES));
  }

  /**
   * Starts one service's JVM (again, after {@link #stopApp}) and waits up to 180 s for its health
   * endpoint. A JVM that exits before it is healthy is started again, three times in all.
   *
   * @throws IllegalStateException if the service is not built, or did not become healthy (with the
   *     tail of its log)
   */
  public void startApp(Service service) {
    Path dir = directory;
    Path home = settings.javaHomes.getOrDefault(service, Path.of(System.getProperty("java.home")));
    String java = home.resolve("bin").resolve("java").toString();
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(APP_JVM);
    command.addAll(settings.jvmOptions.apply(service));
    int port = urls.get(service).getPort();
    Path jar = settings.repository.resolve("sample-apps/" + service.id() + "/target/" + service.id() + ".jar");
    if (!Files.isReadable(jar)) {
      throw new IllegalStateException(service.id() + " is not built: " + jar + " is missing (mvn package)");
    }
    switch (service) {
      case SHOP -> {
        command.addAll(List.of("-jar", jar.toString(), "--server.port=" + port, "--server.address=127.0.0.1",
            "--spring.datasource.url=" + shopDbServer.jdbcUrl(shopDb)));
        command.addAll(modelStoreArgs("--shop.models."));
      }
      case CRM -> {
        command.addAll(List.of("-jar", jar.toString(), "--server.port=" + port, "--server.address=127.0.0.1",
            "--spring.datasource.url=" + shopDbServer.jdbcUrl(shopDb),
            "--spring.rabbitmq.host=" + broker.host(), "--spring.rabbitmq.port=" + broker.port(),
            "--crm.poll-interval-ms=500", "--crm.auto-confirm=" + settings.autoConfirm));
        command.addAll(modelStoreArgs("--crm.models."));
      }
      case MES -> {
        command.addAll(List.of("-Dmes.http.host=127.0.0.1", "-Dmes.http.port=" + port,
            "-Dmes.db.url=" + mesDbServer.jdbcUrl(mesDb),
            "-Dmes.rabbit.host=" + broker.host(), "-Dmes.rabbit.port=" + broker.port(),
            "-Dmes.calculation.duration=" + settings.calculation,
            "-Dmes.history-orders=" + settings.historyOrders));
        modelStoreArgs("-Dmes.models.").forEach(command::add);
        command.addAll(List.of("-jar", jar.toString()));
      }
    }
    Path log = dir.resolve("logs").resolve(service.id() + ".log");
    for (int attempt = 1; ; attempt++) {
      ManagedProcess process = ManagedProcess.start(service.id(), command, settings.environment.apply(service), log);
      synchronized (apps) {
        if (closed.get()) {
          process.stop(Duration.ofSeconds(15));
          throw new IllegalStateException("the stack was stopped while it was starting");
        }
        apps.put(service, process);
      }
      try {
        Waits.until(service.id(), START_TIMEOUT, process, () -> healthy(service));
        return;
      } catch (Waits.Exited e) {
        // like their production originals, the services exit when their first database or broker
        // connection times out, which a loaded machine can make happen: start them again, as an init
        // system would
        if (attempt == START_ATTEMPTS) {
          throw new IllegalStateException(e.getMessage() + "\n(" + START_ATTEMPTS + " attempts)", e);
        }
        settings.progress.accept(service.id() + " exited while starting (attempt " + attempt + " of "
            + START_ATTEMPTS + "); starting it again");
      }
    }
  }

  private List<String> modelStoreArgs(String prefix) {
    return List.of(prefix + "endpoint=" + s3.endpoint(), prefix + "bucket=" + S3.BUCKET,
        prefix + "access-key=" + S3.ACCESS_KEY, prefix + "secret-key=" + S3.SECRET_KEY);
  }

  private boolean healthy(Service service) {
    try {
      return http.send(HttpRequest.newBuilder(urls.get(service).resolve("/health")).timeout(Duration.ofSeconds(2))
          .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Stops one service's JVM, as a crash or a deployment would. */
  public void stopApp(Service service) {
    ManagedProcess p;
    synchronized (apps) {
      p = apps.remove(service);
    }
    if (p != null) {
      p.stop(Duration.ofSeconds(15));
    }
  }

  /** Keeps a started part for {@link #close()}; if the stack was closed meanwhile, stops it at once. */
  private <T extends AutoCloseable> T remember(T part) {
    synchronized (started) {
      if (!closed.get()) {
        started.push(part);
        return part;
      }
    }
    try {
      part.close();
    } catch (Exception e) {
      settings.progress.accept("while stopping: " + e.getMessage());
    }
    throw new IllegalStateException("the stack was stopped while it was starting");
  }

  public URI url(Service service) {
    return urls.get(service);
  }

  public PipelineClient client() {
    return new PipelineClient(url(Service.SHOP), url(Service.CRM), url(Service.MES));
  }

  public Postgres shopDbServer() {
    return shopDbServer;
  }

  public Postgres mesDbServer() {
    return mesDbServer;
  }

  public Connection shopDb() throws SQLException {
    return shopDbServer.connect(shopDb);
  }

  public Connection mesDb() throws SQLException {
    return mesDbServer.connect(mesDb);
  }

  public Rabbit broker() {
    return broker;
  }

  public S3 s3() {
    return s3;
  }

  /** The log file of a service's JVM. */
  public Path log(Service service) {
    synchronized (apps) {
      return apps.get(service).log();
    }
  }

  /** The process id of a service's JVM (for {@code jcmd}, e.g. to measure its heap). */
  public long pid(Service service) {
    synchronized (apps) {
      ManagedProcess p = apps.get(service);
      if (p == null) {
        throw new IllegalStateException(service.id() + " is not running");
      }
      return p.pid();
    }
  }

  /** Switches a fault on or off through its service's admin endpoint. */
  public void fault(Fault fault, boolean on) {
    Service service = serviceOf(fault);
    HttpRequest.Builder request = HttpRequest.newBuilder(url(service).resolve("/admin/faults/" + fault.id()))
        .timeout(Duration.ofSeconds(30));
    request = on ? request.PUT(HttpRequest.BodyPublishers.noBody()) : request.DELETE();
    send(request.build(), "switch " + fault.id() + (on ? " on" : " off"));
  }

  /** Switches every fault of every running service off. */
  public void resetFaults() {
    for (Service service : Service.values()) {
      if (apps.containsKey(service)) {
        send(HttpRequest.newBuilder(url(service).resolve("/admin/faults")).timeout(Duration.ofSeconds(30))
            .DELETE().build(), "reset the faults of " + service.id());
      }
    }
  }

  private void send(HttpRequest request, String what) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("could not " + what + ": " + response.statusCode() + " " + response.body());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not " + what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while trying to " + what, e);
    }
  }

  public static Service serviceOf(Fault fault) {
    for (Service s : Service.values()) {
      if (s.id().equals(fault.service())) {
        return s;
      }
    }
    throw new IllegalArgumentException("no service " + fault.service());
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<Service> running;
    synchronized (apps) {
      running = List.copyOf(apps.keySet());
    }
    running.parallelStream().forEach(this::stopApp);
    synchronized (started) {
      while (!started.isEmpty()) {
        try {
          started.pop().close();
        } catch (Exception e) {
          settings.progress.accept("while stopping: " + e.getMessage());
        }
      }
    }
  }
}
