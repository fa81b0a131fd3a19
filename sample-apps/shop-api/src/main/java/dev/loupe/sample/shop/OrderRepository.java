package dev.loupe.sample.shop;

import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.faults.FaultSwitch;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Orders and items in the Shop DB. */
@Repository
class OrderRepository {

  private static final Logger log = LoggerFactory.getLogger(OrderRepository.class);

  /** A new order as the shop stores it. */
  record NewOrder(String id, int itemId, String customerName, String customerEmail, String customerPhone,
      String ringSize, String engraving, String modelKey) {}

  private final JdbcTemplate jdbc;
  private final DataSource dataSource;
  private final FaultSwitch faults;
  private final List<Connection> leaked = new ArrayList<>();

  OrderRepository(JdbcTemplate jdbc, DataSource dataSource, FaultSwitch faults) {
    this.jdbc = jdbc;
    this.dataSource = dataSource;
    this.faults = faults;
    faults.onChange(Fault.SHOP_DB_POOL_LEAK, on -> {
      if (!on) {
        releaseLeakedConnections();
      }
    });
  }

  List<Map<String, Object>> items() {
    slowDown();
    return jdbc.queryForList("SELECT id, name, base_price_cents FROM items ORDER BY id");
  }

  boolean itemExists(int itemId) {
    slowDown();
    return Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM items WHERE id = ?)",
        Boolean.class, itemId));
  }

  String nextOrderId() {
    leakAConnection();
    slowDown();
    Long number = jdbc.queryForObject("SELECT nextval('order_number_seq')", Long.class);
    return String.format("JW-%06d", number);
  }

  void insert(NewOrder order) {
    slowDown();
    // the misspelt column stands for a bad release of the insert statement
    String customerColumn = faults.isOn(Fault.SHOP_SAVE_SWALLOWED) ? "customer_nmae" : "customer_name";
    jdbc.update("INSERT INTO orders (id, item_id, " + customerColumn + ", customer_email, customer_phone,"
            + " ring_size, engraving, model_key, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'NEW')",
        order.id(), order.itemId(), order.customerName(), order.customerEmail(), order.customerPhone(),
        order.ringSize(), order.engraving(), order.modelKey());
  }

  Optional<Map<String, Object>> find(String orderId) {
    slowDown();
    return jdbc.queryForList("SELECT id, item_id, status, price_cents, created_at, updated_at FROM orders"
        + " WHERE id = ?", orderId).stream().findFirst();
  }

  private void slowDown() {
    if (faults.isOn(Fault.SHOP_DB_SLOW)) {
      jdbc.execute("SELECT pg_sleep(1.5)");
    }
  }

  private void leakAConnection() {
    if (!faults.isOn(Fault.SHOP_DB_POOL_LEAK)) {
      return;
    }
    try {
      Connection connection = dataSource.getConnection();
      synchronized (leaked) {
        leaked.add(connection);
      }
    } catch (SQLException e) {
      // the pool is already exhausted: the statement that follows will time out the same way
      log.debug("could not borrow a connection to leak", e);
    }
  }

  private void releaseLeakedConnections() {
    synchronized (leaked) {
      for (Connection c : leaked) {
        try {
          c.close();
        } catch (SQLException e) {
          log.warn("could not return a leaked connection", e);
        }
      }
      leaked.clear();
    }
  }
}
