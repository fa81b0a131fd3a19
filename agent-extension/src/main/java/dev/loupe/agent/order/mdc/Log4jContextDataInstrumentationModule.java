package dev.loupe.agent.order.mdc;

import static io.opentelemetry.javaagent.extension.matcher.AgentElementMatchers.hasClassesNamed;
import static net.bytebuddy.matcher.ElementMatchers.named;

import io.opentelemetry.javaagent.extension.instrumentation.HelperResourceBuilder;
import dev.loupe.agent.HelperClasses;
import io.opentelemetry.javaagent.extension.instrumentation.InstrumentationModule;
import io.opentelemetry.javaagent.extension.instrumentation.TypeInstrumentation;
import io.opentelemetry.javaagent.extension.instrumentation.TypeTransformer;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code order_id} in the context data of every Log4j2 event logged in an order's context, the way the
 * agent puts {@code trace_id} there: {@link OrderContextData} is registered as a
 * {@code ContextDataProvider} service in each class loader that has Log4j2, before Log4j looks its
 * providers up.
 */
public final class Log4jContextDataInstrumentationModule extends InstrumentationModule {

  private static final String PROVIDER = "org.apache.logging.log4j.core.util.ContextDataProvider";

  public Log4jContextDataInstrumentationModule() {
    super("loupe-log4j-context-data");
  }

  @Override
  public ElementMatcher.Junction<ClassLoader> classLoaderMatcher() {
    return hasClassesNamed(PROVIDER);
  }

  @Override
  public void registerHelperResources(HelperResourceBuilder helperResourceBuilder) {
    helperResourceBuilder.register("META-INF/services/" + PROVIDER, "dev/loupe/agent/order/mdc/log4j-context-data-provider");
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return Collections.<TypeInstrumentation>singletonList(new ProviderLookup());
  }

  @Override
  public boolean isHelperClass(String className) {
    return getAdditionalHelperClassNames().contains(className);
  }

  @Override
  public List<String> getAdditionalHelperClassNames() {
    return HelperClasses.of(getClass(), "dev.loupe.agent.Guard", ContextOrder.class.getName(), PulledOrder.class.getName(),
        "dev.loupe.agent.order.mdc.OrderContextData");
  }

  /**
   * Log4j loads the provider interface just before it looks the providers up; loading it is what
   * injects the helpers and the service entry into that class loader. Nothing in it is changed.
   */
  public static final class ProviderLookup implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return named(PROVIDER);
    }

    @Override
    public void transform(TypeTransformer transformer) {}
  }
}
