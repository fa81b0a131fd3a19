package dev.loupe.agent.config;

import dev.loupe.agent.db.DbDiagnosisSettings;
import dev.loupe.agent.http.RouteTemplates;
import dev.loupe.agent.http.UntracedRoutes;
import dev.loupe.agent.loss.MessagingSettings;
import dev.loupe.agent.order.OrderIdSettings;
import dev.loupe.agent.redact.RedactionSettings;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every {@code loupe.*} setting, parsed once at start-up into one immutable object: each capability's
 * own settings, and the problems of all of them (each names its setting; that entry is left out or its
 * default used, and everything else keeps working — except redaction, which closes export).
 *
 * <p>Each capability declares its settings' defaults beside their parsing; {@link #defaults()} gathers
 * them, and the extension supplies them to the agent's configuration (as the lowest-priority source, so
 * a system property, an environment variable or the agent's configuration file still overrides each).
 * The settings table of {@code agent-extension/README.md} is held to this list by a test.
 */
public final class LoupeSettings {

  private final OrderIdSettings orders;
  private final DbDiagnosisSettings db;
  private final MessagingSettings messaging;
  private final RouteTemplates routeTemplates;
  private final UntracedRoutes untracedRoutes;
  private final RedactionSettings redaction;
  private final List<String> problems;

  private LoupeSettings(OrderIdSettings orders, DbDiagnosisSettings db, MessagingSettings messaging,
      RouteTemplates routeTemplates, UntracedRoutes untracedRoutes, RedactionSettings redaction, List<String> problems) {
    this.orders = orders;
    this.db = db;
    this.messaging = messaging;
    this.routeTemplates = routeTemplates;
    this.untracedRoutes = untracedRoutes;
    this.redaction = redaction;
    this.problems = Collections.unmodifiableList(problems);
  }

  /**
   * Every setting the extension reads, in the order of the README's table, with its default: the
   * value, or {@code ""} where there is none (nothing configured, or a built-in list).
   */
  public static Map<String, String> defaults() {
    Map<String, String> all = new LinkedHashMap<>();
    all.putAll(OrderIdSettings.defaults());
    all.putAll(MessagingSettings.defaults());
    all.putAll(DbDiagnosisSettings.defaults());
    all.putAll(UntracedRoutes.defaults());
    all.putAll(RouteTemplates.defaults());
    all.putAll(RedactionSettings.defaults());
    return Collections.unmodifiableMap(all);
  }

  /** The defaults that have a value, for the agent's configuration: an empty value would not mean "none" to every reader. */
  public static Map<String, String> supplied() {
    Map<String, String> supplied = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : defaults().entrySet()) {
      if (!e.getValue().isEmpty()) {
        supplied.put(e.getKey(), e.getValue());
      }
    }
    return supplied;
  }

  /** Parses every setting; never throws for a bad value (see {@link #problems()}). */
  public static LoupeSettings from(ConfigProperties config) {
    List<String> problems = new ArrayList<>();
    OrderIdSettings orders = OrderIdSettings.from(config);
    problems.addAll(orders.problems());
    DbDiagnosisSettings db = DbDiagnosisSettings.from(config);
    problems.addAll(db.problems());
    MessagingSettings messaging = MessagingSettings.from(config);
    problems.addAll(messaging.problems());
    RouteTemplates routes = RouteTemplates.parse(config.getString(RouteTemplates.SETTING, ""));
    problems.addAll(routes.problems());
    UntracedRoutes untraced = UntracedRoutes.from(config, problems);
    // redaction's problems close export and are reported by it, with what that means
    RedactionSettings redaction = RedactionSettings.from(config);
    return new LoupeSettings(orders, db, messaging, routes, untraced, redaction, problems);
  }

  public OrderIdSettings orders() {
    return orders;
  }

  public DbDiagnosisSettings db() {
    return db;
  }

  public MessagingSettings messaging() {
    return messaging;
  }

  public RouteTemplates routeTemplates() {
    return routeTemplates;
  }

  public UntracedRoutes untracedRoutes() {
    return untracedRoutes;
  }

  public RedactionSettings redaction() {
    return redaction;
  }

  /** Each bad setting, by name, with what is done instead; empty if none. */
  public List<String> problems() {
    return problems;
  }

  /** The settings in effect, for the start-up line. */
  public String describe() {
    return "order correlation: " + orders.describe() + "; database diagnosis: " + db.describe() + "; loss sentinels: "
        + messaging.describe() + "; HTTP routes: " + routeTemplates.describe() + ", " + untracedRoutes.describe()
        + "; redaction: " + redaction.describe();
  }
}
