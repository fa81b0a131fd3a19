package dev.loupe.reconciler;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The settings of one reconciler process, parsed and checked once at start.
 *
 * @param deadlines per stage before production, the age (since placed) by which an order must have
 *     moved past it; never decreasing from one stage to the next
 * @param every null to run once, else the time between runs
 * @param metricsPort 0 for no {@code /metrics} endpoint
 */
public record Settings(Database shopDb, Database mesDb, Duration since, Map<Stage, Duration> deadlines, Path output,
    String journeyUrl, Duration every, String metricsHost, int metricsPort, int fetchSize, Duration connectTimeout,
    Duration queryTimeout) {

  /** One database: where, as whom, and the query that reads its orders. */
  public record Database(String name, String url, String user, String password, String query, Setting urlSetting,
      Setting userSetting, Setting passwordSetting, Setting querySetting) {

    /** Everything but the password. */
    @Override
    public String toString() {
      return name + " " + safeUrl() + " as " + user;
    }

    /** The URL without its parameters, which may hold a password: for messages. */
    public String safeUrl() {
      int q = url.indexOf('?');
      return q < 0 ? url : url.substring(0, q);
    }
  }

  /** The stage whose deadline each setting gives. */
  private static final Map<Stage, Setting> DEADLINE_SETTINGS = Map.of(Stage.SHOP_ACCEPTED,
      Setting.DEADLINE_SHOP_ACCEPTED, Stage.CRM_CONFIRMED, Setting.DEADLINE_CRM_CONFIRMED, Stage.MES_RECEIVED,
      Setting.DEADLINE_MES_RECEIVED, Stage.PRICED, Setting.DEADLINE_PRICED);

  /** The setting that gives a stage's deadline; null for {@link Stage#IN_PRODUCTION}, which has none. */
  public static Setting deadlineSetting(Stage stage) {
    return DEADLINE_SETTINGS.get(stage);
  }

  /**
   * Parses raw values over the defaults.
   *
   * @param values key → text, as from a properties file, the environment and the command line merged;
   *     keys not in {@link Setting} are refused
   * @throws SettingException naming the first setting that is unknown, empty where it must not be, not a
   *     duration or number, or a deadline shorter than the one of the stage before
   */
  public static Settings parse(Map<String, String> values) throws SettingException {
    Map<Setting, String> v = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      v.put(s, s.defaultValue());
    }
    for (Map.Entry<String, String> e : values.entrySet()) {
      Setting s = Setting.ofKey(e.getKey());
      if (s == null) {
        throw new SettingException(e.getKey(), "no such setting; the settings are " + keys(), null);
      }
      v.put(s, e.getValue().strip());
    }
    Database shop = new Database("Shop DB", required(v, Setting.SHOP_DB_URL), required(v, Setting.SHOP_DB_USER),
        v.get(Setting.SHOP_DB_PASSWORD), required(v, Setting.SHOP_DB_QUERY), Setting.SHOP_DB_URL,
        Setting.SHOP_DB_USER, Setting.SHOP_DB_PASSWORD, Setting.SHOP_DB_QUERY);
    Database mes = new Database("MES DB", required(v, Setting.MES_DB_URL), required(v, Setting.MES_DB_USER),
        v.get(Setting.MES_DB_PASSWORD), required(v, Setting.MES_DB_QUERY), Setting.MES_DB_URL,
        Setting.MES_DB_USER, Setting.MES_DB_PASSWORD, Setting.MES_DB_QUERY);
    for (Database d : new Database[] {shop, mes}) {
      if (!d.url().startsWith("jdbc:postgresql:")) {
        throw new SettingException(d.urlSetting(), "'" + d.safeUrl() + "' is not a PostgreSQL JDBC URL"
            + " (jdbc:postgresql://host:port/database)");
      }
    }
    Map<Stage, Duration> deadlines = new EnumMap<>(Stage.class);
    Duration previous = Duration.ZERO;
    Setting previousSetting = null;
    for (Stage stage : Stage.values()) {
      Setting s = DEADLINE_SETTINGS.get(stage);
      if (s == null) {
        continue;
      }
      Duration d = duration(v, s);
      if (d.compareTo(previous) < 0) {
        throw new SettingException(s, d + " is shorter than " + previousSetting.key() + " (" + previous
            + "): deadlines are ages since the order was placed, so each stage's is at least the one before");
      }
      deadlines.put(stage, d);
      previous = d;
      previousSetting = s;
    }
    String journey = required(v, Setting.JOURNEY_URL);
    if (!journey.contains("{order_id}")) {
      throw new SettingException(Setting.JOURNEY_URL, "'" + journey + "' has no {order_id} to put the order id in");
    }
    Duration every = v.get(Setting.EVERY).isEmpty() ? null : duration(v, Setting.EVERY);
    int port = v.get(Setting.METRICS_PORT).isEmpty() ? 0 : integer(v, Setting.METRICS_PORT, 1, 65535);
    if (port != 0 && every == null) {
      throw new SettingException(Setting.METRICS_PORT, "a /metrics endpoint needs the periodic mode (every);"
          + " a single run writes loupe-reconciler.prom for the node exporter's textfile collector");
    }
    return new Settings(shop, mes, duration(v, Setting.SINCE), deadlines, Path.of(required(v, Setting.OUTPUT)),
        journey, every, required(v, Setting.METRICS_HOST), port, integer(v, Setting.FETCH_SIZE, 1, 1_000_000),
        duration(v, Setting.CONNECT_TIMEOUT), duration(v, Setting.QUERY_TIMEOUT));
  }

  /** Every key, for messages. */
  static String keys() {
    StringBuilder b = new StringBuilder();
    for (Setting s : Setting.values()) {
      b.append(b.length() == 0 ? "" : ", ").append(s.key());
    }
    return b.toString();
  }

  /**
   * Reads the settings given in the environment ({@link Setting#environmentVariable()}).
   *
   * @return key → value of those that are set
   */
  public static Map<String, String> fromEnvironment(Map<String, String> environment) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (Setting s : Setting.values()) {
      String value = environment.get(s.environmentVariable());
      if (value != null) {
        out.put(s.key(), value);
      }
    }
    return out;
  }

  /** Key → value of a properties file's entries. */
  public static Map<String, String> fromProperties(Properties p) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    return out;
  }

  private static String required(Map<Setting, String> v, Setting s) throws SettingException {
    String value = v.get(s);
    if (value == null || value.isEmpty()) {
      throw new SettingException(s, "must not be empty");
    }
    return value;
  }

  private static int integer(Map<Setting, String> v, Setting s, int min, int max) throws SettingException {
    try {
      int n = Integer.parseInt(required(v, s));
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new SettingException(s, "'" + v.get(s) + "' is not a whole number from " + min + " to " + max);
  }

  private static Duration duration(Map<Setting, String> v, Setting s) throws SettingException {
    try {
      Duration d = duration(required(v, s));
      if (!d.isZero() && !d.isNegative()) {
        return d;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new SettingException(s, "'" + v.get(s) + "' is not a positive duration such as 500ms, 30s, 15m, 2h or 30d");
  }

  /**
   * "500ms", "30s", "15m", "2h", "30d".
   *
   * @throws IllegalArgumentException if the text is none of these
   */
  static Duration duration(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h|d)").matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(text);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }
}
