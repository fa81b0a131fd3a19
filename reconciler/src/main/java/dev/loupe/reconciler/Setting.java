package dev.loupe.reconciler;

import java.util.Locale;

/**
 * Every setting of the reconciler, with its default. A setting is read, last one winning, from its
 * default, the properties file given with {@code --config}, the environment ({@code LOUPE_RECONCILER_}
 * and the key in capitals with {@code .} and {@code -} as {@code _}, e.g.
 * {@code LOUPE_RECONCILER_SHOP_DB_PASSWORD}) and the command line ({@code --set key=value}, or the
 * options {@code --since}, {@code --every}, {@code --output}). The README's settings table is held to
 * this list by a test.
 */
public enum Setting {
  SHOP_DB_URL("shop-db.url", "jdbc:postgresql://127.0.0.1:5432/loupe_shop", "JDBC URL of the Shop DB"),
  SHOP_DB_USER("shop-db.user", "loupe_reconciler", "read-only user of the Shop DB"),
  SHOP_DB_PASSWORD("shop-db.password", "", "its password (give it in the environment, not in a file)"),
  SHOP_DB_QUERY("shop-db.query", Queries.SHOP,
      "one row per order placed since `?`: `order_id`, `placed_at`, `stage` (`shop_accepted` or `crm_confirmed`),"
          + " ordered by `order_id COLLATE \"C\"`"),
  MES_DB_URL("mes-db.url", "jdbc:postgresql://127.0.0.1:5432/loupe_mes", "JDBC URL of the MES DB"),
  MES_DB_USER("mes-db.user", "loupe_reconciler", "read-only user of the MES DB"),
  MES_DB_PASSWORD("mes-db.password", "", "its password (give it in the environment, not in a file)"),
  MES_DB_QUERY("mes-db.query", Queries.MES,
      "one row per order received since `?`: `order_id`, `stage` (`mes_received`, `priced` or `in_production`),"
          + " ordered by `order_id COLLATE \"C\"`"),
  SINCE("since", "30d", "the window: orders placed this long before the run"),
  DEADLINE_SHOP_ACCEPTED("deadline.shop-accepted", "24h",
      "age (since placed) by which a seller must have confirmed an order"),
  DEADLINE_CRM_CONFIRMED("deadline.crm-confirmed", "25h", "age by which MES must have received it"),
  DEADLINE_MES_RECEIVED("deadline.mes-received", "26h", "age by which MES must have priced it"),
  DEADLINE_PRICED("deadline.priced", "7d", "age by which an operator must have taken it into production"),
  OUTPUT("output", "reconciler-output",
      "directory for `lost-orders.csv`, `lost-orders.md` and `loupe-reconciler.prom`"),
  JOURNEY_URL("journey-url",
      "https://grafana.jewelry.internal/d/loupe-order-journey/order-journey?var-order_id={order_id}",
      "the order journey dashboard; `{order_id}` is replaced by the URL-encoded order id"),
  EVERY("every", "", "empty: run once and exit; a duration such as `5m`: run again every so often until stopped"),
  METRICS_PORT("metrics.port", "", "with `every`: serve `/metrics` on this port (empty: no HTTP endpoint)"),
  METRICS_HOST("metrics.host", "127.0.0.1", "the address `/metrics` listens on (`0.0.0.0` in a container)"),
  FETCH_SIZE("fetch-size", "5000", "rows fetched per round trip; memory stays bounded by it"),
  CONNECT_TIMEOUT("connect-timeout", "10s", "how long to wait for a database to answer a connection"),
  QUERY_TIMEOUT("query-timeout", "10m", "how long one query may run");

  private final String key;
  private final String defaultValue;
  private final String description;

  Setting(String key, String defaultValue, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** The key in the properties file and after {@code --set}, e.g. {@code shop-db.query}. */
  public String key() {
    return key;
  }

  /** The default, as text; empty for none. */
  public String defaultValue() {
    return defaultValue;
  }

  /** One line for the README's table. */
  public String description() {
    return description;
  }

  /** The environment variable that sets it, e.g. {@code LOUPE_RECONCILER_SHOP_DB_PASSWORD}. */
  public String environmentVariable() {
    return "LOUPE_RECONCILER_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The setting with this key, or null. */
  public static Setting ofKey(String key) {
    for (Setting s : values()) {
      if (s.key.equals(key)) {
        return s;
      }
    }
    return null;
  }

  /** The default queries, for the sample apps' schemas (sample-apps/shop-api, sample-apps/mes-api). */
  static final class Queries {
    private Queries() {}

    /**
     * The Shop DB: the CRM moves an order NEW → AWAITING_CONFIRMATION → CONFIRMED
     * (sample-apps/crm-api SellerDesk), then writes back the statuses MES reports (StatusListener), which
     * are MES's statuses (sample-apps/mes-api HttpApi.STATUSES). Every one past the first two means a seller
     * confirmed it. Any other status comes back as it is, which no stage is named, so a status the query
     * does not know stops the run naming {@code shop-db.query} instead of being guessed at.
     */
    static final String SHOP = """
        SELECT id AS order_id, created_at AS placed_at,
               CASE WHEN status IN ('NEW', 'AWAITING_CONFIRMATION') THEN 'shop_accepted'
                    WHEN status IN ('CONFIRMED', 'RECEIVED', 'CALCULATING', 'MODEL_REJECTED', 'PRICED',
                                    'IN_PRODUCTION', 'SHIPPED') THEN 'crm_confirmed'
                    ELSE status END AS stage
          FROM orders
         WHERE created_at >= ?
         ORDER BY id COLLATE "C\"""";

    /**
     * The MES DB (sample-apps/mes-api HttpApi.STATUSES): RECEIVED → CALCULATING → PRICED → IN_PRODUCTION
     * → SHIPPED; MODEL_REJECTED stops at received. Shipped orders were in production, so they are
     * accounted for (the seeded history is mostly SHIPPED). Any other status comes back as it is, which no
     * stage is named, so a status the query does not know stops the run naming {@code mes-db.query}
     * instead of listing its orders as lost. The window start given to it is {@link
     * Reconciliation#CLOCK_MARGIN} before the shop's, because MES's clock may be behind the shop's.
     */
    static final String MES = """
        SELECT order_id,
               CASE WHEN status IN ('IN_PRODUCTION', 'SHIPPED') THEN 'in_production'
                    WHEN status = 'PRICED' THEN 'priced'
                    WHEN status IN ('RECEIVED', 'CALCULATING', 'MODEL_REJECTED') THEN 'mes_received'
                    ELSE status END AS stage
          FROM orders
         WHERE received_at >= ?
         ORDER BY order_id COLLATE "C\"""";
  }
}
