package dev.loupe.agent.order.amqp;

import static io.opentelemetry.javaagent.extension.matcher.AgentElementMatchers.hasClassesNamed;
import static io.opentelemetry.javaagent.extension.matcher.AgentElementMatchers.implementsInterface;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.javaagent.extension.instrumentation.InstrumentationModule;
import io.opentelemetry.javaagent.extension.instrumentation.TypeInstrumentation;
import io.opentelemetry.javaagent.extension.instrumentation.TypeTransformer;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The order id from a configured JSON field of a RabbitMQ message body, for publishers and consumers
 * that put it nowhere else. On the publishing side the id must be in the context before the agent's own
 * instrumentation of the full six-argument {@code basicPublish} starts the producer span and writes the
 * context into the message headers: {@link Publishing} is ordered before the agent's instrumentation, and
 * the shorter overloads applications call, which all delegate to that one, are advised too. On the
 * consuming side the id goes on the consumer span the agent has made current, so this module is ordered
 * after it.
 */
public final class AmqpBodyInstrumentationModule extends InstrumentationModule {

  public AmqpBodyInstrumentationModule() {
    super("loupe-amqp-body");
  }

  @Override
  public ElementMatcher.Junction<ClassLoader> classLoaderMatcher() {
    return hasClassesNamed("com.rabbitmq.client.Consumer");
  }

  /** Off unless body fields are configured: nothing is read from message bodies by default. */
  @Override
  public boolean defaultEnabled(ConfigProperties config) {
    return !config.getList(dev.loupe.agent.order.OrderIdSettings.AMQP_BODY_FIELDS).isEmpty();
  }

  /** After the agent's RabbitMQ instrumentation: the id goes on the consumer span it made current. */
  @Override
  public int order() {
    return 1;
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return Collections.<TypeInstrumentation>singletonList(new ConsumerInstrumentation());
  }

  @Override
  public boolean isHelperClass(String className) {
    return getAdditionalHelperClassNames().contains(className);
  }

  @Override
  public List<String> getAdditionalHelperClassNames() {
    return Arrays.asList("dev.loupe.agent.Guard", AmqpBodyOrderId.class.getName());
  }

  /** {@code Consumer.handleDelivery(consumerTag, envelope, properties, body)}. */
  public static final class ConsumerInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return implementsInterface(named("com.rabbitmq.client.Consumer"));
    }

    @Override
    public void transform(TypeTransformer transformer) {
      transformer.applyAdviceToMethod(isPublic().and(named("handleDelivery")).and(takesArguments(4))
          .and(takesArgument(3, byte[].class)), AmqpBodyInstrumentationModule.class.getName() + "$BodyAdvice3");
    }
  }

  /**
   * The publishing side, a module of its own because it must run in the opposite order: before the
   * agent's instrumentation of {@code basicPublish} starts the producer span and writes the context
   * into the message headers, so the id is in that context. Switched on and off with the consumer side
   * ({@code otel.instrumentation.loupe-amqp-body.enabled}).
   */
  public static final class Publishing extends InstrumentationModule {
    public Publishing() {
      super("loupe-amqp-body-publish", "loupe-amqp-body");
    }

    @Override
    public ElementMatcher.Junction<ClassLoader> classLoaderMatcher() {
      return hasClassesNamed("com.rabbitmq.client.Channel");
    }

    @Override
    public boolean defaultEnabled(ConfigProperties config) {
      return !config.getList(dev.loupe.agent.order.OrderIdSettings.AMQP_BODY_FIELDS).isEmpty();
    }

    @Override
    public int order() {
      return -1;
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
      return Collections.<TypeInstrumentation>singletonList(new PublishInstrumentation());
    }

    @Override
    public boolean isHelperClass(String className) {
      return getAdditionalHelperClassNames().contains(className);
    }

    @Override
    public List<String> getAdditionalHelperClassNames() {
      return Arrays.asList("dev.loupe.agent.Guard", AmqpBodyOrderId.class.getName());
    }
  }

  /** Every {@code basicPublish} overload of a channel; the body is always the last argument. */
  public static final class PublishInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return implementsInterface(named("com.rabbitmq.client.Channel"));
    }

    @Override
    public void transform(TypeTransformer transformer) {
      String advice = AmqpBodyInstrumentationModule.class.getName();
      transformer.applyAdviceToMethod(isPublic().and(named("basicPublish")).and(takesArguments(4))
          .and(takesArgument(3, byte[].class)), advice + "$BodyAdvice3");
      transformer.applyAdviceToMethod(isPublic().and(named("basicPublish")).and(takesArguments(5))
          .and(takesArgument(4, byte[].class)), advice + "$BodyAdvice4");
      transformer.applyAdviceToMethod(isPublic().and(named("basicPublish")).and(takesArguments(6))
          .and(takesArgument(5, byte[].class)), advice + "$BodyAdvice5");
    }
  }

  /** The body is argument 3. */
  public static final class BodyAdvice3 {
    private BodyAdvice3() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Scope enter(@Advice.Argument(3) byte[] body) {
      return AmqpBodyOrderId.enter(body);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Scope scope) {
      AmqpBodyOrderId.exit(scope);
    }
  }

  /** The body is argument 4. */
  public static final class BodyAdvice4 {
    private BodyAdvice4() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Scope enter(@Advice.Argument(4) byte[] body) {
      return AmqpBodyOrderId.enter(body);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Scope scope) {
      AmqpBodyOrderId.exit(scope);
    }
  }

  /** The body is argument 5. */
  public static final class BodyAdvice5 {
    private BodyAdvice5() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Scope enter(@Advice.Argument(5) byte[] body) {
      return AmqpBodyOrderId.enter(body);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Scope scope) {
      AmqpBodyOrderId.exit(scope);
    }
  }
}
