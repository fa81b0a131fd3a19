package dev.loupe.agent.http;

import dev.loupe.agent.Guard;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.instrumentation.api.incubator.instrumenter.InstrumenterCustomizer;
import io.opentelemetry.instrumentation.api.incubator.instrumenter.InstrumenterCustomizerProvider;
import io.opentelemetry.instrumentation.api.instrumenter.AttributesExtractor;
import io.opentelemetry.instrumentation.api.instrumenter.ContextCustomizer;
import io.opentelemetry.instrumentation.api.internal.HttpRouteState;

/**
 * Gives every HTTP server instrumentation the routes of {@code loupe.http.route-templates}.
 *
 * <p>At the start of a request the template matching its {@code url.path} becomes the request's
 * route, as the lowest-ranked source: a framework that knows the route (a Spring controller, a servlet
 * mapping) still replaces it. The route then reaches the span's {@code http.route}, its name and the
 * {@code http.server.request.duration} metric exactly as a route found by the instrumentation does.
 */
public final class ServerRoutes implements InstrumenterCustomizerProvider {

  private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  private static final ContextKey<String> TEMPLATE = ContextKey.named("loupe-route-template");
  /** The rank of a servlet filter's route, the lowest the instrumentation API knows. */
  private static final int RANK = 1;

  private static volatile RouteTemplates templates;
  private static final Guard contained = Guard.named("HTTP route templates");

  /** Called once the settings are read; until then, and with no templates, requests are untouched. */
  public static void use(RouteTemplates configured) {
    templates = configured.isEmpty() ? null : configured;
  }

  @Override
  public void customize(InstrumenterCustomizer customizer) {
    if (customizer.hasType(InstrumenterCustomizer.InstrumentationType.HTTP_SERVER)) {
      customizer.addContextCustomizer(new Start());
      customizer.addAttributesExtractor(new End());
    }
  }

  static String templateFor(Context context, Attributes startAttributes) {
    RouteTemplates current = templates;
    if (current == null || !contained.on()) {
      return null;
    }
    HttpRouteState state = HttpRouteState.fromContextOrNull(context);
    if (state == null || state.getUpdatedBySourceOrder() >= RANK) {
      return null;
    }
    String template = current.route(startAttributes.get(URL_PATH));
    if (template != null) {
      state.update(context, RANK, template);
    }
    return template;
  }


  private static final class Start implements ContextCustomizer<Object> {
    @Override
    public Context onStart(Context parentContext, Object request, Attributes startAttributes) {
      try {
        String template = templateFor(parentContext, startAttributes);
        return template == null ? parentContext : parentContext.with(TEMPLATE, template);
      } catch (Throwable e) {
        contained.failed(e);
        return parentContext;
      }
    }
  }

  /** Names the span after the template, unless a framework has since found the route itself. */
  private static final class End implements AttributesExtractor<Object, Object> {
    @Override
    public void onStart(AttributesBuilder attributes, Context parentContext, Object request) {}

    @Override
    public void onEnd(AttributesBuilder attributes, Context context, Object request, Object response, Throwable error) {
      try {
        String template = context.get(TEMPLATE);
        if (template == null || !contained.on()) {
          return;
        }
        HttpRouteState state = HttpRouteState.fromContextOrNull(context);
        if (state != null && state.getRoute() == template) {
          Span.fromContext(context).updateName(state.getMethod() + " " + template);
        }
      } catch (Throwable e) {
        contained.failed(e);
      }
    }
  }
}
