package dev.loupe.agent.http;

import static io.opentelemetry.javaagent.extension.matcher.AgentElementMatchers.implementsInterface;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import com.sun.net.httpserver.HttpExchange;
import dev.loupe.agent.HelperClasses;
import io.opentelemetry.javaagent.extension.instrumentation.InstrumentationModule;
import io.opentelemetry.javaagent.extension.instrumentation.TypeInstrumentation;
import io.opentelemetry.javaagent.extension.instrumentation.TypeTransformer;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The routes of {@code loupe.http.route-templates} for the JDK's built-in {@code HttpServer}, which
 * reports its context path ({@code /}) as the route of every request. As the application's handler
 * starts, inside the server span the agent's filter has started, the template matching the request's
 * path becomes its route through the agent's public
 * {@code HttpServerRoute.update}, as the lowest-ranked source (a servlet filter's): the route then
 * reaches the server span's {@code http.route} and name and {@code http.server.request.duration} exactly
 * as a route found by the instrumentation does, also for requests that are not traced.
 */
public final class ServerRouteInstrumentationModule extends InstrumentationModule {

  public ServerRouteInstrumentationModule() {
    super("loupe-http-route-templates");
  }

  /** After the agent's instrumentation of the server, whose span and route state the update needs. */
  @Override
  public int order() {
    return 1;
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return Collections.<TypeInstrumentation>singletonList(new HandlerInstrumentation());
  }

  @Override
  public boolean isHelperClass(String className) {
    return getAdditionalHelperClassNames().contains(className);
  }

  @Override
  public List<String> getAdditionalHelperClassNames() {
    return HelperClasses.of(getClass(), "dev.loupe.agent.Guard", "dev.loupe.agent.order.PathTemplate",
        "dev.loupe.agent.http.RouteTemplates", "dev.loupe.agent.http.ServerRouteUpdate");
  }

  /**
   * The application's {@code HttpHandler.handle(HttpExchange)}, a class or a lambda; not the JDK's own
   * handlers, which pass the request on before the agent's filter has started the server span.
   */
  public static final class HandlerInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return implementsInterface(named("com.sun.net.httpserver.HttpHandler"))
          .and(not(nameStartsWith("sun.")).and(not(nameStartsWith("com.sun."))).and(not(nameStartsWith("jdk."))));
    }

    @Override
    public void transform(TypeTransformer transformer) {
      transformer.applyAdviceToMethod(isPublic().and(named("handle")).and(takesArguments(1))
          .and(takesArgument(0, named("com.sun.net.httpserver.HttpExchange"))),
          ServerRouteInstrumentationModule.class.getName() + "$HandleAdvice");
    }
  }

  /** Inlined into each handler's {@code handle}. */
  public static final class HandleAdvice {
    private HandleAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(0) HttpExchange exchange) {
      ServerRouteUpdate.handling(exchange.getRequestURI().getPath());
    }
  }
}
