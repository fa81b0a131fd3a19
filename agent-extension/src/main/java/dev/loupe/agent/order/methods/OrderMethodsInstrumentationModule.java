package dev.loupe.agent.order.methods;

import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;

import dev.loupe.agent.order.LegacyMethod;
import dev.loupe.agent.order.Operation;
import dev.loupe.agent.order.OrderCorrelation;
import dev.loupe.agent.order.Stage;
import dev.loupe.agent.HelperClasses;
import io.opentelemetry.javaagent.extension.instrumentation.InstrumentationModule;
import io.opentelemetry.javaagent.extension.instrumentation.TypeInstrumentation;
import io.opentelemetry.javaagent.extension.instrumentation.TypeTransformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Instruments the legacy methods named in {@code loupe.order-id.methods}, {@code loupe.operations} and
 * {@code loupe.order-stages}.
 */
public final class OrderMethodsInstrumentationModule extends InstrumentationModule {

  public OrderMethodsInstrumentationModule() {
    super("loupe-order-methods");
  }

  /**
   * After the agent's own instrumentation of the same methods, if any (a controller, a method the agent
   * is told to trace): an id from a return value goes on the span it made current, and a call's span is
   * started under it.
   */
  @Override
  public int order() {
    return 1;
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    Map<String, List<String>> byClass = new LinkedHashMap<>();
    List<LegacyMethod> methods = new ArrayList<>(LegacyMethod.parseHandoff(
        System.getProperty(OrderCorrelation.METHODS_HANDOFF, "")));
    for (Operation o : Operation.parseHandoff(System.getProperty(OrderCorrelation.OPERATIONS_HANDOFF, ""))) {
      methods.add(o.method());
    }
    for (LegacyMethod m : methods) {
      List<String> names = byClass.computeIfAbsent(m.className(), c -> new ArrayList<>());
      if (!names.contains(m.methodName())) {
        names.add(m.methodName());
      }
    }
    for (Stage stage : Stage.parseHandoff(System.getProperty(OrderCorrelation.STAGES_HANDOFF, ""))) {
      List<String> names = byClass.computeIfAbsent(stage.className(), c -> new ArrayList<>());
      if (!names.contains(stage.methodName())) {
        names.add(stage.methodName());
      }
    }
    List<TypeInstrumentation> out = new ArrayList<>();
    byClass.forEach((className, methodNames) -> out.add(new TypeInstrumentation() {
      @Override
      public ElementMatcher<TypeDescription> typeMatcher() {
        return named(className);
      }

      @Override
      public void transform(TypeTransformer transformer) {
        transformer.applyAdviceToMethod(isMethod().and(not(isAbstract())).and(namedOneOf(methodNames.toArray(new String[0]))),
            OrderMethodAdvice.class.getName());
      }
    }));
    return out;
  }

  @Override
  public boolean isHelperClass(String className) {
    return getAdditionalHelperClassNames().contains(className);
  }

  @Override
  public List<String> getAdditionalHelperClassNames() {
    return HelperClasses.of(getClass(), "dev.loupe.agent.Guard", "dev.loupe.agent.order.LegacyMethod",
        "dev.loupe.agent.order.mdc.ContextOrder", "dev.loupe.agent.order.mdc.PulledOrder", "dev.loupe.agent.order.Operation",
        "dev.loupe.agent.order.Stage",
        "dev.loupe.agent.order.methods.OrderMethodSupport", "dev.loupe.agent.order.methods.InFlightOperations");
  }
}
