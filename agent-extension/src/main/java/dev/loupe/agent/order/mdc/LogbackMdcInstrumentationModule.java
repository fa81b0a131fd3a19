package dev.loupe.agent.order.mdc;

import static io.opentelemetry.javaagent.extension.matcher.AgentElementMatchers.hasClassesNamed;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.loupe.agent.HelperClasses;
import io.opentelemetry.javaagent.extension.instrumentation.InstrumentationModule;
import io.opentelemetry.javaagent.extension.instrumentation.TypeInstrumentation;
import io.opentelemetry.javaagent.extension.instrumentation.TypeTransformer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code order_id} in the MDC of every Logback event logged in an order's context, beside the
 * {@code trace_id} and {@code span_id} the agent adds, so JSON logs carry all three.
 *
 * <p>Logback captures an event's MDC once, on first asking, which is on the logging thread (an
 * {@code AsyncAppender} asks before it queues the event); the order id is added then and kept in the
 * event, so an appender that writes the event later, on another thread, still has it.
 */
public final class LogbackMdcInstrumentationModule extends InstrumentationModule {

  public LogbackMdcInstrumentationModule() {
    super("loupe-logback-mdc");
  }

  @Override
  public ElementMatcher.Junction<ClassLoader> classLoaderMatcher() {
    return hasClassesNamed("ch.qos.logback.classic.spi.LoggingEvent");
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return Arrays.asList(new LoggingEventInstrumentation());
  }

  @Override
  public boolean isHelperClass(String className) {
    return getAdditionalHelperClassNames().contains(className);
  }

  @Override
  public List<String> getAdditionalHelperClassNames() {
    return HelperClasses.of(getClass(), "dev.loupe.agent.Guard", ContextOrder.class.getName(), PulledOrder.class.getName(), OrderMdc.class.getName());
  }

  /** The MDC map a Logback event hands to its encoders. */
  public static final class LoggingEventInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return named("ch.qos.logback.classic.spi.LoggingEvent");
    }

    @Override
    public void transform(TypeTransformer transformer) {
      transformer.applyAdviceToMethod(isPublic().and(named("getMDCPropertyMap")).and(takesArguments(0)),
          LogbackMdcInstrumentationModule.class.getName() + "$MdcAdvice");
    }
  }

  /** Inlined into {@code LoggingEvent.getMDCPropertyMap()}: at the capture, the map captured gets the order id. */
  public static final class MdcAdvice {
    private MdcAdvice() {}

    /** Whether this call captures the MDC (Logback keeps it in {@code mdcPropertyMap} from then on). */
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static boolean enter(@Advice.FieldValue("mdcPropertyMap") Map<String, String> captured) {
      return captured == null;
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(
        @Advice.Enter boolean capturing,
        @Advice.Return(readOnly = false) Map<String, String> mdc,
        @Advice.FieldValue(value = "mdcPropertyMap", readOnly = false) Map<String, String> captured) {
      if (capturing) {
        Map<String, String> withOrder = OrderMdc.withOrderId(mdc);
        if (withOrder != mdc) {
          mdc = withOrder;
          captured = withOrder;
        }
      }
    }
  }
}
