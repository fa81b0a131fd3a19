package dev.loupe.sample.crm;

import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/** The CRM's view of the Shop DB. */
@Repository
class ShopOrders {

  private static final String SELECT = "SELECT o.id, o.item_id, i.base_price_cents, o.ring_size, o.engraving,"
      + " o.model_key, o.status FROM orders o JOIN items i ON i.id = o.item_id";
  private static final RowMapper<ShopOrder> ROW = (rs, n) -> new ShopOrder(rs.getString("id"),
      rs.getInt("item_id"), rs.getInt("base_price_cents"), rs.getString("ring_size"), rs.getString("engraving"),
      rs.getString("model_key"), rs.getString("status"));

  private final JdbcTemplate jdbc;

  ShopOrders(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  List<ShopOrder> withStatus(String status, int limit) {
    return jdbc.query(SELECT + " WHERE o.status = ? ORDER BY o.created_at, o.id LIMIT ?", ROW, status, limit);
  }

  Optional<ShopOrder> find(String orderId) {
    return jdbc.query(SELECT + " WHERE o.id = ?", ROW, orderId).stream().findFirst();
  }

  /** Moves an order on only if it is still where the caller saw it; false if someone else moved it. */
  boolean transition(String orderId, String from, String to) {
    return jdbc.update("UPDATE orders SET status = ?, updated_at = now() WHERE id = ? AND status = ?",
        to, orderId, from) == 1;
  }

  /** Writes a status reported by MES; false if the Shop DB has no such order. */
  boolean report(String orderId, String status, Integer priceCents) {
    return jdbc.update("UPDATE orders SET status = ?, price_cents = COALESCE(?, price_cents), updated_at = now()"
        + " WHERE id = ?", status, priceCents, orderId) == 1;
  }
}
