package dev.loupe.agent.order.methods;

import dev.loupe.agent.Guard;
import dev.loupe.agent.order.LegacyMethod;
import dev.loupe.agent.order.Operation;
import dev.loupe.agent.order.Stage;
import dev.loupe.agent.order.mdc.ContextOrder;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Runs inside the application's class loader (injected with the advice): takes the order id from a
 * configured method's argument or return value and makes it the order of the work that follows.
 */
public final class OrderMethodSupport {

  private static final Guard guard = Guard.named("order methods");

  private static final String ORDER_ID = "order.id";
  private static volatile Map<String, LegacyMethod> methods;
  private static volatile Map<String, Operation> operations;
  private static volatile Map<String, String> stages;
  private static volatile Pattern accepted;

  private OrderMethodSupport() {}

  /** The span and scope of one call, for the exit advice; for a watched operation, also its clock. */
  public static final class Held {
    final Span span;
    final Scope scope;
    final Operation operation;
    final String orderId;
    final long startNanos = System.nanoTime();
    volatile boolean overdue;

    Held(Span span, Scope scope, Operation operation, String orderId) {
      this.span = span;
      this.scope = scope;
      this.operation = operation;
      this.orderId = orderId;
    }
  }

  /**
   * On entry: a span for the call when the method names the order (an argument), is a watched
   * operation or a funnel stage; with the order id in baggage, made current. A watched operation's call
   * is tracked until it returns.
   */
  public static Object enter(String type, String method, Object[] args) {
    try {
      return guard.on() ? start(type, method, args) : null;
    } catch (Throwable e) {
      guard.failed(e);
      return null;
    }
  }

  private static Object start(String type, String method, Object[] args) {
    String key = type + "#" + method;
    LegacyMethod spec = spec(type, method);
    Operation operation = operations.get(key);
    String stage = stages.get(key);
    if (operation != null) {
      spec = operation.method();
    }
    String id = null;
    if (spec != null && !spec.fromReturnValue() && args != null && spec.argument() < args.length) {
      id = read(args[spec.argument()], spec.path());
    }
    if (id == null && operation == null && stage == null) {
      return null;
    }
    Context parent = Context.current();
    Context context = id == null ? parent
        : parent.with(Baggage.fromContext(parent).toBuilder().put(ORDER_ID, id).build());
    SpanBuilder builder = GlobalOpenTelemetry.getTracer("dev.loupe.agent").spanBuilder(simpleName(type) + "." + method)
        .setParent(context);
    if (id != null) {
      builder.setAttribute(ORDER_ID, id);
    }
    if (operation != null) {
      builder.setAttribute("loupe.operation", operation.name());
    }
    if (stage != null) {
      builder.setAttribute("loupe.stage", stage);
    }
    Span span = builder.startSpan();
    Held held = new Held(span, context.with(span).makeCurrent(), operation, id);
    if (operation != null) {
      InFlightOperations.begin(held, operations.values());
    }
    return held;
  }

  /**
   * On exit: ends what {@link #enter} started; if the id is the return value, puts it on the current
   * span. Either way an id found in a server request becomes the request's ({@link ContextOrder#foundInRequest}).
   */
  public static void exit(String type, String method, Object returned, Throwable thrown, Object held) {
    try {
      // what enter started is ended even if the component has since been switched off
      if (held instanceof Held || guard.on()) {
        finish(type, method, returned, thrown, held);
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  private static void finish(String type, String method, Object returned, Throwable thrown, Object held) {
    if (held instanceof Held) {
      Held h = (Held) held;
      if (h.operation != null) {
        InFlightOperations.end(h);
      }
      if (thrown != null) {
        h.span.recordException(thrown);
        h.span.setStatus(StatusCode.ERROR);
      }
      h.span.end();
      h.scope.close();
      if (h.orderId != null) {
        ContextOrder.foundInRequest(h.orderId);
      }
      return;
    }
    LegacyMethod spec = spec(type, method);
    if (spec != null && spec.fromReturnValue() && thrown == null) {
      String id = read(returned, spec.path());
      if (id != null) {
        Span.current().setAttribute(ORDER_ID, id);
        ContextOrder.foundInRequest(id);
      }
    }
  }

  private static LegacyMethod spec(String type, String method) {
    Map<String, LegacyMethod> known = methods;
    if (known == null || operations == null || stages == null) {
      known = load();
    }
    return known.get(type + "#" + method);
  }

  private static synchronized Map<String, LegacyMethod> load() {
    if (methods == null) {
      Map<String, LegacyMethod> parsed = new HashMap<>();
      for (LegacyMethod m : LegacyMethod.parseHandoff(System.getProperty("loupe.internal.order-id.methods", ""))) {
        parsed.put(m.key(), m);
      }
      accepted = Pattern.compile(System.getProperty("loupe.internal.order-id.pattern", ".+"));
      Map<String, Operation> watched = new HashMap<>();
      for (Operation o : Operation.parseHandoff(System.getProperty("loupe.internal.operations", ""))) {
        watched.put(o.method().key(), o);
      }
      operations = watched;
      Map<String, String> funnel = new HashMap<>();
      for (Stage st : Stage.parseHandoff(System.getProperty("loupe.internal.order-stages", ""))) {
        funnel.put(st.key(), st.name());
      }
      stages = funnel;
      methods = parsed;
    }
    return methods;
  }

  /** Follows a property path (record accessor, getter, then field) to a value that looks like an order id. */
  static String read(Object root, List<String> path) {
    Object value = root;
    for (String property : path) {
      if (value == null) {
        return null;
      }
      value = property(value, property);
    }
    if (value == null) {
      return null;
    }
    String id = value.toString();
    return accepted != null && accepted.matcher(id).matches() ? id : null;
  }

  private static Object property(Object target, String name) {
    Class<?> type = target.getClass();
    for (String accessor : new String[] {name, "get" + Character.toUpperCase(name.charAt(0)) + name.substring(1)}) {
      try {
        Method m = type.getMethod(accessor);
        m.setAccessible(true);
        return m.invoke(target);
      } catch (ReflectiveOperationException | RuntimeException e) {
        // not this accessor; try the next way in
      }
    }
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      try {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
      } catch (ReflectiveOperationException | RuntimeException e) {
        // not declared here; look in the superclass
      }
    }
    return null;
  }

  static String simpleName(String type) {
    return type.substring(type.lastIndexOf('.') + 1);
  }
}
