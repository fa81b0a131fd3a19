package dev.loupe.reconciler;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * One database's orders, streamed row by row in order id order through a server-side cursor: memory
 * holds one fetch of rows, however many orders the window has. The connection is read-only.
 */
final class OrderSource implements AutoCloseable {

  /** One order as one database knows it; {@code placedAt} is null where the query has no such column. */
  record Row(String orderId, Instant placedAt, Stage stage) {}

  private final Settings.Database db;
  private final Set<Stage> stages;
  private final boolean placedAt;
  private final Connection connection;
  private final PreparedStatement statement;
  private final ResultSet rows;
  private String previous;

  private OrderSource(Settings.Database db, Set<Stage> stages, boolean placedAt, Connection connection,
      PreparedStatement statement, ResultSet rows) {
    this.db = db;
    this.stages = stages;
    this.placedAt = placedAt;
    this.connection = connection;
    this.statement = statement;
    this.rows = rows;
  }

  /** The Shop DB's orders: {@code order_id}, {@code placed_at}, {@code stage} (shop accepted or CRM confirmed). */
  static OrderSource shop(Settings settings, Instant windowStart) throws SettingException {
    return open(settings, settings.shopDb(), windowStart, true, EnumSet.of(Stage.SHOP_ACCEPTED, Stage.CRM_CONFIRMED));
  }

  /** The MES DB's orders: {@code order_id}, {@code stage} (MES received, priced or in production). */
  static OrderSource mes(Settings settings, Instant windowStart) throws SettingException {
    return open(settings, settings.mesDb(), windowStart, false,
        EnumSet.of(Stage.MES_RECEIVED, Stage.PRICED, Stage.IN_PRODUCTION));
  }

  private static OrderSource open(Settings settings, Settings.Database db, Instant windowStart, boolean placedAt,
      Set<Stage> stages) throws SettingException {
    Connection c = connect(settings, db);
    PreparedStatement s = null;
    try {
      // a server-side cursor needs a transaction and a forward-only result
      c.setAutoCommit(false);
      c.setReadOnly(true);
      s = c.prepareStatement(db.query(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
      s.setFetchSize(settings.fetchSize());
      s.setQueryTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, settings.queryTimeout().toSeconds())));
      int parameters = s.getParameterMetaData().getParameterCount();
      if (parameters != 1) {
        throw new SettingException(db.querySetting(), "the query has " + parameters + " parameters; it must have"
            + " exactly one, ?, the start of the window (a timestamp with time zone)");
      }
      s.setTimestamp(1, Timestamp.from(windowStart));
      ResultSet rs = s.executeQuery();
      checkColumns(db, rs.getMetaData(), placedAt);
      return new OrderSource(db, stages, placedAt, c, s, rs);
    } catch (SQLException e) {
      closeQuietly(s, c);
      throw queryFailed(db, e);
    } catch (SettingException | RuntimeException e) {
      closeQuietly(s, c);
      throw e;
    }
  }

  private static void checkColumns(Settings.Database db, ResultSetMetaData meta, boolean placedAt)
      throws SQLException, SettingException {
    List<String> columns = new ArrayList<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      columns.add(meta.getColumnLabel(i).toLowerCase(Locale.ROOT));
    }
    List<String> required = placedAt ? List.of("order_id", "placed_at", "stage") : List.of("order_id", "stage");
    if (!columns.containsAll(required)) {
      throw new SettingException(db.querySetting(), "the query returns the columns " + columns + "; it must return "
          + required + " (name them with AS)");
    }
  }

  /**
   * The next order, or null after the last.
   *
   * @throws SettingException naming the query setting if a row has no order id or placed-at time, a
   *     stage that is not one this database can know, or comes out of order id order (or twice)
   */
  Row next() throws SettingException {
    try {
      if (!rows.next()) {
        return null;
      }
      String orderId = rows.getString("order_id");
      if (orderId == null) {
        throw new SettingException(db.querySetting(), "a row has no order_id");
      }
      if (previous != null && OrderIds.compare(previous, orderId) >= 0) {
        throw new SettingException(db.querySetting(), "order " + orderId + " comes after " + previous + "; the query"
            + " must return one row per order, ordered by order_id COLLATE \"C\"");
      }
      previous = orderId;
      Instant placed = null;
      if (placedAt) {
        Timestamp t = rows.getTimestamp("placed_at");
        if (t == null) {
          throw new SettingException(db.querySetting(), "order " + orderId + " has no placed_at");
        }
        placed = t.toInstant();
      }
      String stageId = rows.getString("stage");
      Stage stage = stages.stream().filter(st -> st.id().equals(stageId)).findFirst().orElseThrow(() ->
          new SettingException(db.querySetting(), "order " + orderId + " has the stage '" + stageId + "'; the "
              + db.name() + " query's stages are " + stages.stream().map(Stage::id).toList() + " (the query must map"
              + " every status to one of them)"));
      return new Row(orderId, placed, stage);
    } catch (SQLException e) {
      throw queryFailed(db, e);
    }
  }

  private static Connection connect(Settings settings, Settings.Database db) throws SettingException {
    Properties p = new Properties();
    p.setProperty("user", db.user());
    p.setProperty("password", db.password());
    p.setProperty("connectTimeout", Long.toString(Math.max(1, settings.connectTimeout().toSeconds())));
    p.setProperty("loginTimeout", Long.toString(Math.max(1, settings.connectTimeout().toSeconds())));
    p.setProperty("ApplicationName", "loupe-reconciler");
    p.setProperty("readOnly", "true");
    try {
      return DriverManager.getConnection(db.url(), p);
    } catch (SQLException e) {
      String state = e.getSQLState() == null ? "" : e.getSQLState();
      if (state.startsWith("28")) {
        throw new SettingException(db.userSetting(), "the " + db.name() + " at " + db.safeUrl() + " refused user '"
            + db.user() + "' (check " + db.userSetting().key() + " and " + db.passwordSetting().key() + "): "
            + e.getMessage(), e);
      }
      if (state.equals("3D000")) {
        throw new SettingException(db.urlSetting(), "the " + db.name() + " server has no such database: "
            + db.safeUrl() + ": " + e.getMessage(), e);
      }
      throw new SettingException(db.urlSetting(), "cannot reach the " + db.name() + " at " + db.safeUrl() + ": "
          + e.getMessage(), e);
    }
  }

  private static SettingException queryFailed(Settings.Database db, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.equals("42501")) {
      return new SettingException(db.querySetting(), "user '" + db.user() + "' may not read what the query reads"
          + " (grant it SELECT, see reconciler/README.md): " + e.getMessage(), e);
    }
    if (state.startsWith("08") || state.equals("57P01")) {
      return new SettingException(db.urlSetting(), "lost the " + db.name() + " at " + db.safeUrl()
          + " while reading: " + e.getMessage(), e);
    }
    if (state.equals("57014")) {
      return new SettingException(Setting.QUERY_TIMEOUT, "the " + db.name() + " query ran longer than allowed: "
          + e.getMessage(), e);
    }
    return new SettingException(db.querySetting(), "the " + db.name() + " query failed: " + e.getMessage(), e);
  }

  private static void closeQuietly(AutoCloseable... parts) {
    for (AutoCloseable part : parts) {
      if (part != null) {
        try {
          part.close();
        } catch (Exception e) {
          // the error that made us close is the one to report
        }
      }
    }
  }

  @Override
  public void close() {
    closeQuietly(rows, statement, connection);
  }
}
