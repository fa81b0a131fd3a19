package dev.loupe.agent.http;

import dev.loupe.agent.Guard;
import io.opentelemetry.context.Context;
import io.opentelemetry.instrumentation.api.semconv.http.HttpServerRoute;
import io.opentelemetry.instrumentation.api.semconv.http.HttpServerRouteSource;

/**
 * Runs inside the application's class loader (injected with the advice): makes the template matching
 * a request's path its route. The templates come from the settings, parsed once, through an internal
 * system property ({@link #HANDOFF}).
 */
public final class ServerRouteUpdate {

  /** The valid templates of {@code loupe.http.route-templates}; not a setting. */
  public static final String HANDOFF = "loupe.internal.http.route-templates";

  private static final Guard guard = Guard.named("HTTP route templates");
  private static volatile RouteTemplates templates;

  private ServerRouteUpdate() {}

  /** A handler starts on a request for {@code path}. */
  public static void handling(String path) {
    try {
      if (guard.on()) {
        String template = templates().route(path);
        if (template != null) {
          // a no-op unless a server span with the agent's route state is current; a framework's route ranks higher
          HttpServerRoute.update(Context.current(), HttpServerRouteSource.SERVER_FILTER, template);
        }
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  private static RouteTemplates templates() {
    RouteTemplates t = templates;
    if (t == null) {
      t = RouteTemplates.parse(System.getProperty(HANDOFF, ""));
      templates = t;
    }
    return t;
  }
}
