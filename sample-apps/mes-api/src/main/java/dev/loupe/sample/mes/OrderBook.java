package dev.loupe.sample.mes;

import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.faults.FaultSwitch;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The orders MES knows, in the MES DB. */
final class OrderBook {

  /** An order as MES received it from the CRM. */
  record ReceivedOrder(String orderId, int itemId, BigDecimal ringSize, String engraving, String modelKey,
      int basePriceCents) {}

  /** One row of the operators' orders page. */
  record PageRow(String orderId, String item, BigDecimal ringSize, String status, Integer priceCents,
      String operator, String receivedAt) {}

  /** What an assignment came to. */
  enum Assignment { ASSIGNED, NO_SUCH_ORDER, NOT_PRICED, NO_SUCH_OPERATOR }

  /** Orders with their item and operator names, as the page and the order view show them. */
  private static final String ROWS = "SELECT o.order_id, i.name AS item, o.ring_size, o.status, o.price_cents,"
      + " p.name AS operator, o.received_at FROM orders o JOIN items i ON i.id = o.item_id"
      + " LEFT JOIN operators p ON p.id = o.operator_id";

  private final MesDatabase db;
  private final FaultSwitch faults;

  OrderBook(MesDatabase db, FaultSwitch faults) {
    this.db = db;
    this.faults = faults;
  }

  /** Stores a received order; false if MES already had it (a redelivery). */
  boolean receive(ReceivedOrder order) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("INSERT INTO orders (order_id, item_id, ring_size, engraving,"
            + " model_key, base_price_cents, status) VALUES (?, ?, ?, ?, ?, ?, 'RECEIVED')"
            + " ON CONFLICT (order_id) DO NOTHING")) {
      s.setString(1, order.orderId());
      s.setInt(2, order.itemId());
      s.setBigDecimal(3, order.ringSize());
      s.setString(4, order.engraving());
      s.setString(5, order.modelKey());
      s.setInt(6, order.basePriceCents());
      return s.executeUpdate() == 1;
    }
  }

  void setStatus(String orderId, String status, Integer priceCents) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("UPDATE orders SET status = ?,"
            + " price_cents = COALESCE(?, price_cents), updated_at = now() WHERE order_id = ?")) {
      s.setString(1, status);
      s.setObject(2, priceCents);
      s.setString(3, orderId);
      s.executeUpdate();
    }
  }

  Optional<PageRow> find(String orderId) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement(ROWS + " WHERE o.order_id = ?")) {
      s.setString(1, orderId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(row(rs, rs.getString("item"), rs.getString("operator"))) : Optional.empty();
      }
    }
  }

  /** The operators' orders page: newest first, filtered by status. */
  List<PageRow> page(String status, int page, int size) throws SQLException {
    db.leakAConnection();
    if (faults.isOn(Fault.MES_ORDERS_PAGE_N_PLUS_ONE)) {
      return pageRowByRow(status, page, size);
    }
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement(ROWS + " WHERE o.status = ? ORDER BY o.received_at DESC LIMIT ? OFFSET ?")) {
      bindPage(s, status, page, size);
      List<PageRow> rows = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(row(rs, rs.getString("item"), rs.getString("operator")));
        }
      }
      return rows;
    }
  }

  /** The page as an ORM with lazy associations would load it: one query, then two more per row. */
  private List<PageRow> pageRowByRow(String status, int page, int size) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("SELECT order_id, item_id, ring_size, status, price_cents,"
            + " operator_id, received_at FROM orders WHERE status = ? ORDER BY received_at DESC LIMIT ? OFFSET ?");
        PreparedStatement item = c.prepareStatement("SELECT name FROM items WHERE id = ?");
        PreparedStatement operator = c.prepareStatement("SELECT name FROM operators WHERE id = ?")) {
      bindPage(s, status, page, size);
      List<PageRow> rows = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          String itemName = name(item, rs.getInt("item_id"));
          int operatorId = rs.getInt("operator_id");
          String operatorName = rs.wasNull() ? null : name(operator, operatorId);
          rows.add(row(rs, itemName, operatorName));
        }
      }
      return rows;
    }
  }

  Assignment assign(String orderId, int operatorId) throws SQLException {
    try (Connection c = db.connection()) {
      try (PreparedStatement op = c.prepareStatement("SELECT 1 FROM operators WHERE id = ?")) {
        op.setInt(1, operatorId);
        try (ResultSet rs = op.executeQuery()) {
          if (!rs.next()) {
            return Assignment.NO_SUCH_OPERATOR;
          }
        }
      }
      try (PreparedStatement s = c.prepareStatement("UPDATE orders SET status = 'IN_PRODUCTION', operator_id = ?,"
          + " updated_at = now() WHERE order_id = ? AND status = 'PRICED'")) {
        s.setInt(1, operatorId);
        s.setString(2, orderId);
        if (s.executeUpdate() == 1) {
          return Assignment.ASSIGNED;
        }
      }
      try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM orders WHERE order_id = ?")) {
        exists.setString(1, orderId);
        try (ResultSet rs = exists.executeQuery()) {
          return rs.next() ? Assignment.NOT_PRICED : Assignment.NO_SUCH_ORDER;
        }
      }
    }
  }

  /** Orders by status, for the legacy business metrics. */
  Map<String, Long> countByStatus() throws SQLException {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("SELECT status, count(*) FROM orders GROUP BY status ORDER BY status");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getLong(2));
      }
    }
    return counts;
  }

  /** Binds a page query's status filter, LIMIT and OFFSET. */
  private static void bindPage(PreparedStatement s, String status, int page, int size) throws SQLException {
    s.setString(1, status);
    s.setInt(2, size);
    s.setInt(3, page * size);
  }

  private static String name(PreparedStatement lookup, int id) throws SQLException {
    lookup.setInt(1, id);
    try (ResultSet rs = lookup.executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static PageRow row(ResultSet rs, String item, String operator) throws SQLException {
    int price = rs.getInt("price_cents");
    Integer priceCents = rs.wasNull() ? null : price;
    return new PageRow(rs.getString("order_id"), item, rs.getBigDecimal("ring_size"), rs.getString("status"),
        priceCents, operator, rs.getTimestamp("received_at").toInstant().toString());
  }
}
