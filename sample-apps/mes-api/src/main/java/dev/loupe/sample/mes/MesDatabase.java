package dev.loupe.sample.mes;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.loupe.sample.faults.ConnectionLeak;
import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.faults.FaultSwitch;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The MES DB: its connection pool, its schema, and the faults that live in it. */
final class MesDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MesDatabase.class);
  static final String PAGE_INDEX = "orders_status_received_idx";

  private final HikariDataSource pool;
  private final FaultSwitch faults;
  private final ConnectionLeak leak;

  MesDatabase(MesSettings settings, FaultSwitch faults) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("mes-db");
    config.setJdbcUrl(settings.dbUrl());
    config.setUsername(settings.dbUser());
    config.setPassword(settings.dbPassword());
    config.setMaximumPoolSize(settings.dbPoolSize());
    config.setConnectionTimeout(3000);
    config.setInitializationFailTimeout(-1);
    this.pool = new HikariDataSource(config);
    this.faults = faults;
    this.leak = new ConnectionLeak(pool, Fault.MES_DB_POOL_LEAK, faults);
    faults.onChange(Fault.MES_ORDERS_PAGE_MISSING_INDEX, this::dropOrRestorePageIndex);
  }

  /** A pooled connection; under the slow-database fault it has first waited inside PostgreSQL. */
  Connection connection() throws SQLException {
    Connection c = pool.getConnection();
    if (faults.isOn(Fault.MES_DB_SLOW)) {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_sleep(1.5)");
      } catch (SQLException e) {
        c.close();
        throw e;
      }
    }
    return c;
  }

  /** Under the pool-leak fault, borrows a connection and never gives it back. */
  void leakAConnection() {
    leak.leakOne();
  }

  void createSchema(int historyOrders) throws SQLException {
    String schema;
    try (InputStream in = MesDatabase.class.getResourceAsStream("/schema.sql")) {
      schema = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      for (String statement : schema.split(";")) {
        if (!statement.isBlank()) {
          s.execute(statement);
        }
      }
      if (historyOrders > 0) {
        seedHistory(s, historyOrders);
      }
    }
  }

  /** Years of finished orders, as the real MES DB has: what makes an unindexed orders page slow. */
  private static void seedHistory(Statement s, int historyOrders) throws SQLException {
    try (var rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM orders WHERE order_id LIKE 'H-%')")) {
      rs.next();
      if (rs.getBoolean(1)) {
        return;
      }
    }
    long started = System.nanoTime();
    s.execute("INSERT INTO orders (order_id, item_id, ring_size, model_key, base_price_cents, status,"
        + " price_cents, operator_id, received_at, updated_at)"
        + " SELECT 'H-' || lpad(g::text, 7, '0'), 1 + g % 4, 17, 'models/history/' || g, 30000,"
        + " CASE WHEN g % 500 = 0 THEN 'PRICED' WHEN g % 100 = 0 THEN 'IN_PRODUCTION' ELSE 'SHIPPED' END,"
        + " 45000, 1 + g % 5, now() - make_interval(mins => g), now() - make_interval(mins => g)"
        + " FROM generate_series(1, " + historyOrders + ") AS g");
    s.execute("ANALYZE orders");
    log.info("Seeded {} historical orders in {} ms", historyOrders, (System.nanoTime() - started) / 1_000_000);
  }

  private void dropOrRestorePageIndex(boolean faultOn) {
    String ddl = faultOn
        ? "DROP INDEX IF EXISTS " + PAGE_INDEX
        : "CREATE INDEX IF NOT EXISTS " + PAGE_INDEX + " ON orders (status, received_at DESC)";
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute(ddl);
      s.execute("ANALYZE orders");
    } catch (SQLException e) {
      throw new IllegalStateException("could not change the orders page index: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    leak.releaseAll();
    pool.close();
  }
}
