package dev.loupe.sample.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A PostgreSQL server for the stack: a private instance in a temporary directory on a free port, or
 * the machine's own on 5432. A private one can be stopped and started again to make a real outage.
 *
 * <p>Run as root, the private server runs as the {@code postgres} user ({@code initdb} and {@code pg_ctl}
 * refuse root), and that user may not be able to enter the directory the stack was given: a checkout
 * in a {@code 0700} home or {@code mktemp -d} folder. Its data then lives in a directory of its own
 * under {@code java.io.tmpdir}, owned by {@code postgres}; {@link #close()} removes it and copies the
 * server's log back into the stack's directory.
 */
public final class Postgres implements AutoCloseable {

  private static final String USER = "postgres";

  private final int port;
  private final Path dataDir;
  private final Path socketDir;
  private final Path log;
  private final Path bin;
  /** Where the log is copied on close when the data lived elsewhere; null when it lives in place. */
  private final Path logCopy;

  private Postgres(int port, Path dataDir, Path socketDir, Path log, Path bin, Path logCopy) {
    this.port = port;
    this.dataDir = dataDir;
    this.socketDir = socketDir;
    this.log = log;
    this.bin = bin;
    this.logCopy = logCopy;
  }

  /** The machine's PostgreSQL on 127.0.0.1:5432, if it is running and lets {@code postgres} in. */
  public static Optional<Postgres> local() {
    Postgres local = new Postgres(5432, null, null, null, null, null);
    try (Connection c = local.connect("postgres")) {
      return Optional.of(local);
    } catch (SQLException e) {
      return Optional.empty();
    }
  }

  /**
   * A fresh cluster on a free loopback port. Its data, socket and log are in {@code dir} (created), or,
   * when we are root, in a new directory under {@code java.io.tmpdir} that only the {@code postgres} user
   * can enter (see the class comment); {@link #close()} then removes it and leaves the log in {@code dir}.
   *
   * @throws IllegalStateException if no PostgreSQL server is installed, or initdb or pg_ctl fail (with
   *     their output)
   */
  public static Postgres startPrivate(Path dir) {
    Path bin = binaries();
    Path home;
    try {
      Files.createDirectories(dir);
      home = runningAsRoot() ? ownedByPostgres(Files.createTempDirectory(
          Path.of(System.getProperty("java.io.tmpdir")), "loupe-pg-")) : dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Postgres pg = new Postgres(Waits.freePort(), home.resolve("data"), home, home.resolve("postgres.log"), bin,
        home.equals(dir) ? null : dir.resolve("postgres.log"));
    ManagedProcess.run("initdb", asPostgres(List.of(bin.resolve("initdb").toString(), "-D", pg.dataDir.toString(),
        "-U", USER, "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions")), Map.of(), Duration.ofMinutes(2));
    pg.start();
    return pg;
  }

  /** Starts a private server (again, after {@link #stop()}). */
  public void start() {
    requirePrivate();
    String options = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + socketDir
        + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        + " -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all";
    ManagedProcess.run("pg_ctl start", asPostgres(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(),
        "-l", log.toString(), "-o", options, "-w", "-t", "60", "start")), Map.of(), Duration.ofSeconds(90));
  }

  /** Stops a private server at once, as a crash would: clients are cut off. */
  public void stop() {
    requirePrivate();
    ManagedProcess.run("pg_ctl stop", asPostgres(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(),
        "-m", "immediate", "-w", "stop")), Map.of(), Duration.ofSeconds(60));
  }

  public boolean isPrivate() {
    return dataDir != null;
  }

  public int port() {
    return port;
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  public String user() {
    return USER;
  }

  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database) + "?connectTimeout=5", USER, "");
  }

  /** Drops the database if it exists and creates it empty. */
  public void recreateDatabase(String database) {
    if (!database.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("not a plain database name: " + database);
    }
    try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      s.execute("CREATE DATABASE " + database);
      if (isPrivate()) {
        try (Connection db = connect(database); Statement ds = db.createStatement()) {
          ds.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + database + " on port " + port + ": "
          + e.getMessage(), e);
    }
  }

  /** Stops a private server and, if its data lived outside the stack's directory, removes that data. */
  @Override
  public void close() {
    if (!isPrivate()) {
      return;
    }
    try {
      if (Files.exists(dataDir.resolve("postmaster.pid"))) {
        try {
          ManagedProcess.run("pg_ctl stop", asPostgres(List.of(bin.resolve("pg_ctl").toString(), "-D",
              dataDir.toString(), "-m", "fast", "-w", "stop")), Map.of(), Duration.ofSeconds(60));
        } catch (RuntimeException e) {
          ManagedProcess.run("pg_ctl stop", asPostgres(List.of(bin.resolve("pg_ctl").toString(), "-D",
              dataDir.toString(), "-m", "immediate", "-w", "stop")), Map.of(), Duration.ofSeconds(60));
        }
      }
    } finally {
      if (logCopy != null) {
        removeHome();
      }
    }
  }

  private void removeHome() {
    try {
      if (Files.exists(log)) {
        Files.copy(log, logCopy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      try (Stream<Path> all = Files.walk(socketDir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove the PostgreSQL data in " + socketDir, e);
    }
  }

  /** Where the server keeps its data, socket and log: the stack's directory or one of its own. */
  public Path home() {
    return socketDir;
  }

  private void requirePrivate() {
    if (!isPrivate()) {
      throw new IllegalStateException("the machine's own PostgreSQL is not started or stopped by the stack");
    }
  }

  /** initdb and pg_ctl refuse to run as root: run them as the postgres user then. */
  private static List<String> asPostgres(List<String> command) {
    if (!runningAsRoot()) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", USER, "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  private static Path ownedByPostgres(Path dir) throws IOException {
    UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER);
    Files.setOwner(dir, owner);
    return dir;
  }

  private static boolean runningAsRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** The newest PostgreSQL server binaries on the machine, or those in PG_BIN. */
  static Path binaries() {
    String configured = System.getenv("PG_BIN");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    Path root = Path.of("/usr/lib/postgresql");
    try (Stream<Path> versions = Files.list(root)) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
          .orElseThrow(() -> new IllegalStateException("no PostgreSQL server under " + root + "; install the"
              + " postgresql package or set PG_BIN to the directory holding initdb and pg_ctl"));
    } catch (IOException e) {
      throw new IllegalStateException("no PostgreSQL server under " + root + "; install the postgresql package"
          + " or set PG_BIN to the directory holding initdb and pg_ctl", e);
    }
  }
}
