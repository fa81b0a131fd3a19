package dev.loupe.reconciler;

import dev.loupe.sample.stack.Postgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A private PostgreSQL for this test JVM with a Shop DB and a MES DB in the sample apps' schemas, and the
 * read-only role the README tells an administrator to create, logging in with a password (scram-sha-256,
 * while the test's own superuser keeps trust). Started on first use, stopped when the run ends.
 */
public final class Databases {

  static final String READER = "loupe_reconciler";
  static final String READER_PASSWORD = "reader-secret-for-tests";

  private final Postgres server;

  private Databases(Postgres server) {
    this.server = server;
  }

  /** Holds the server in JUnit's root store, which closes it at the end of the run. */
  private record Held(Databases databases) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      databases.server.close();
    }
  }

  /** Hands tests the one {@link Databases} of this JVM: {@code @ExtendWith(Databases.Extension.class)}. */
  public static final class Extension implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == Databases.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
          .getOrComputeIfAbsent("loupe-reconciler-db", k -> new Held(start()), Held.class).databases();
    }
  }

  static Path repository() {
    return Path.of(System.getProperty("loupe.repository", "..")).toAbsolutePath().normalize();
  }

  private static Databases start() {
    Path dir = repository().resolve("reconciler/target/postgres-" + ProcessHandle.current().pid());
    Postgres server = Postgres.startPrivate(dir);
    Databases d = new Databases(server);
    try {
      requirePasswords(server);
      d.recreate();
      return d;
    } catch (Exception e) {
      server.close();
      throw new IllegalStateException("could not prepare the test databases: " + e.getMessage(), e);
    }
  }

  /** The reader logs in with a password over TCP; everyone else keeps the stack's trust. */
  private static void requirePasswords(Postgres server) throws Exception {
    Path hba = server.home().resolve("data/pg_hba.conf");
    String rules = "host all " + READER + " 127.0.0.1/32 scram-sha-256\n";
    Files.writeString(hba, rules + Files.readString(hba));
    exec(server, "postgres", "SELECT pg_reload_conf()");
  }

  /** Empty Shop and MES databases in the sample apps' schemas, readable by the reader as the README says. */
  void recreate() throws Exception {
    server.recreateDatabase("shop");
    server.recreateDatabase("mes");
    exec(server, "shop", Files.readString(repository().resolve("sample-apps/shop-api/src/main/resources/schema.sql")));
    exec(server, "mes", Files.readString(repository().resolve("sample-apps/mes-api/src/main/resources/schema.sql")));
    grantReader(server, "shop", server, "mes");
  }

  /**
   * The role and grants of reconciler/README.md, from the very files it tells an administrator to run
   * (reconciler/deploy/*.sql), on the Shop DB's and the MES DB's servers (one or two); the test then sets
   * the role's password.
   */
  static void grantReader(Postgres shopServer, String shopDb, Postgres mesServer, String mesDb) throws Exception {
    Path deploy = repository().resolve("reconciler/deploy");
    for (Postgres server : shopServer == mesServer ? List.of(shopServer) : List.of(shopServer, mesServer)) {
      boolean exists;
      try (Connection c = server.connect("postgres"); Statement s = c.createStatement();
          java.sql.ResultSet rs = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + READER + "'")) {
        exists = rs.next();
      }
      if (!exists) {
        exec(server, "postgres", Files.readString(deploy.resolve("read-only-role.sql")));
      }
      exec(server, "postgres", "ALTER ROLE " + READER + " PASSWORD '" + READER_PASSWORD + "'");
    }
    exec(shopServer, shopDb, Files.readString(deploy.resolve("grants-shop-db.sql")));
    exec(mesServer, mesDb, Files.readString(deploy.resolve("grants-mes-db.sql")));
  }

  static void exec(Postgres server, String db, String sql) throws SQLException {
    try (Connection c = server.connect(db); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  void exec(String db, String sql) throws SQLException {
    exec(server, db, sql);
  }

  Postgres server() {
    return server;
  }

  /** The settings of a reconciler reading these databases as the reader, writing to {@code output}. */
  Map<String, String> settings(Path output) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("shop-db.url", server.jdbcUrl("shop"));
    s.put("shop-db.user", READER);
    s.put("shop-db.password", READER_PASSWORD);
    s.put("mes-db.url", server.jdbcUrl("mes"));
    s.put("mes-db.user", READER);
    s.put("mes-db.password", READER_PASSWORD);
    s.put("output", output.toString());
    return s;
  }

  /** Command-line arguments that give every setting with {@code --set}. */
  static String[] args(Map<String, String> settings, String... more) {
    List<String> a = new ArrayList<>();
    settings.forEach((k, v) -> {
      a.add("--set");
      a.add(k + "=" + v);
    });
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }
}
