package dev.loupe.sample.shop;

import dev.loupe.sample.faults.ConnectionLeak;
import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.faults.FaultSwitch;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Orders and items in the Shop DB. */
@Repository
class OrderRepository {

  /** A new order as the shop stores it. */
  record NewOrder(String id, int itemId, String customerName, String customerEmail, String customerPhone,
      String ringSize, String engraving, String modelKey) {}

  private final JdbcTemplate jdbc;
  private final FaultSwitch faults;
  private final ConnectionLeak leak;

  OrderRepository(JdbcTemplate jdbc, DataSource dataSource, FaultSwitch faults) {
    this.jdbc = jdbc;
    this.faults = faults;
    this.leak = new ConnectionLeak(dataSource, Fault.SHOP_DB_POOL_LEAK, faults);
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
    leak.leakOne();
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
}
