package dev.loupe.agent.http;

import dev.loupe.agent.Guard;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * {@code loupe.http.untraced-routes}: requests that are not traced — health checks and metric scrapes,
 * which would otherwise be most of the traces and say nothing about orders. Their server span and
 * everything under it are dropped by the sampler; the request-duration metric still counts them.
 *
 * <p>An entry is a path ({@code /health}) or a prefix ending in {@code /**} ({@code /actuator/**}).
 */
public final class UntracedRoutes implements Sampler {

  public static final String SETTING = "loupe.http.untraced-routes";
  static final String DEFAULT = "/health,/health/**,/healthz,/ready,/readyz,/live,/livez,/metrics,/actuator/health,"
      + "/actuator/health/**,/actuator/prometheus";
  private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");

  private final Sampler delegate;
  private final List<String> exact;
  private final List<String> prefixes;
  private final Guard contained = Guard.named("untraced routes");

  private UntracedRoutes(Sampler delegate, List<String> exact, List<String> prefixes) {
    this.delegate = delegate;
    this.exact = exact;
    this.prefixes = prefixes;
  }

  /** Each setting with its default, as the extension supplies them to the agent. */
  public static Map<String, String> defaults() {
    return Collections.singletonMap(SETTING, DEFAULT);
  }

  /**
   * The setting parsed once, to be put {@link #around} the sampler the agent configures; a bad entry
   * is left out and its problem added to {@code problems}.
   */
  public static UntracedRoutes from(ConfigProperties config, List<String> problems) {
    return routes(config.getString(SETTING, DEFAULT), problems);
  }

  /** {@code delegate}, or it wrapped so the untraced routes are dropped. */
  public Sampler around(Sampler delegate) {
    return exact.isEmpty() && prefixes.isEmpty() ? delegate : new UntracedRoutes(delegate, exact, prefixes);
  }

  static Sampler parse(Sampler delegate, String text, List<String> problems) {
    return routes(text, problems).around(delegate);
  }

  private static UntracedRoutes routes(String text, List<String> problems) {
    List<String> exact = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    for (String item : text.split(",")) {
      String route = item.trim();
      if (route.isEmpty() || route.equals("none")) {
        continue;
      }
      int star = route.indexOf('*');
      boolean prefix = route.endsWith("/**") && star == route.length() - 2;
      if (!route.startsWith("/") || route.contains("?") || star >= 0 && !prefix) {
        problems.add(SETTING + ": '" + route + "' is neither a path such as /health nor a prefix such as /actuator/**;"
            + " it is ignored");
      } else if (route.endsWith("/**")) {
        prefixes.add(route.substring(0, route.length() - 2));
      } else {
        exact.add(route);
      }
    }
    return new UntracedRoutes(null, Collections.unmodifiableList(exact), Collections.unmodifiableList(prefixes));
  }

  boolean untraced(String path) {
    if (path == null) {
      return false;
    }
    if (exact.contains(path)) {
      return true;
    }
    for (String p : prefixes) {
      if (path.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
      Attributes attributes, List<LinkData> parentLinks) {
    if (spanKind == SpanKind.SERVER) {
      try {
        if (contained.on() && untraced(attributes.get(URL_PATH))) {
          return SamplingResult.drop();
        }
      } catch (Throwable e) {
        contained.failed(e);
      }
    }
    return delegate.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
  }

  @Override
  public String getDescription() {
    return "LoupeUntracedRoutes{" + exact + ", " + prefixes + "**, then " + delegate.getDescription() + "}";
  }

  public String describe() {
    return (exact.size() + prefixes.size()) + " untraced routes";
  }
}
