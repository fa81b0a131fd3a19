package dev.loupe.agent.order.amqp;

import static io.opentelemetry.javaagent.extension.matcher.AgentElementMatchers.extendsClass;
import static io.opentelemetry.javaagent.extension.matcher.AgentElementMatchers.hasClassesNamed;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import com.rabbitmq.client.GetResponse;
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
 * The order of a message pulled with {@code Channel.basicGet}, in the log lines written while the
 * pulling thread handles it ({@link PulledMessages}). Ordered after the agent's RabbitMQ instrumentation,
 * so the span it made current for the call is still current when the message's order is known.
 */
public final class PulledMessageInstrumentationModule extends InstrumentationModule {

  private static final String SELF = PulledMessageInstrumentationModule.class.getName();

  public PulledMessageInstrumentationModule() {
    super("loupe-amqp-pulled");
  }

  @Override
  public ElementMatcher.Junction<ClassLoader> classLoaderMatcher() {
    return hasClassesNamed("com.rabbitmq.client.impl.ChannelN");
  }

  /** After the agent's RabbitMQ instrumentation: its span for the call is current in the exit advice. */
  @Override
  public int order() {
    return 1;
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return Collections.<TypeInstrumentation>singletonList(new ChannelInstrumentation());
  }

  @Override
  public boolean isHelperClass(String className) {
    return getAdditionalHelperClassNames().contains(className);
  }

  @Override
  public List<String> getAdditionalHelperClassNames() {
    return HelperClasses.of(getClass(), "dev.loupe.agent.Guard", "dev.loupe.agent.loss.rabbit.RabbitLoss$Headers",
        "dev.loupe.agent.order.mdc.ContextOrder", "dev.loupe.agent.order.mdc.PulledOrder",
        AmqpBodyOrderId.class.getName(), PulledMessages.class.getName());
  }

  /**
   * The client's channel and its subclasses (the recovering client's wrapper delegates to one, so each
   * pull and settlement is seen once, on the same channel object).
   */
  public static final class ChannelInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return named("com.rabbitmq.client.impl.ChannelN").or(extendsClass(named("com.rabbitmq.client.impl.ChannelN")));
    }

    @Override
    public void transform(TypeTransformer t) {
      t.applyAdviceToMethod(isPublic().and(named("basicGet")).and(takesArguments(2))
          .and(takesArgument(0, String.class)), SELF + "$GetAdvice");
      t.applyAdviceToMethod(isPublic().and(named("basicAck")).and(takesArguments(2)), SELF + "$AckAdvice");
      t.applyAdviceToMethod(isPublic().and(named("basicReject")).and(takesArguments(2)), SELF + "$RejectAdvice");
      t.applyAdviceToMethod(isPublic().and(named("basicNack")).and(takesArguments(3)), SELF + "$NackAdvice");
    }
  }

  /** {@code basicGet(queue, autoAck)}. */
  public static final class GetAdvice {
    private GetAdvice() {}

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This Object channel, @Advice.Argument(1) boolean autoAck,
        @Advice.Return GetResponse response) {
      PulledMessages.pulled(channel, autoAck, response);
    }
  }

  /** {@code basicAck(deliveryTag, multiple)}. */
  public static final class AckAdvice {
    private AckAdvice() {}

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This Object channel, @Advice.Argument(0) long deliveryTag,
        @Advice.Argument(1) boolean multiple, @Advice.Thrown Throwable thrown) {
      PulledMessages.settled(channel, deliveryTag, multiple, thrown);
    }
  }

  /** {@code basicReject(deliveryTag, requeue)}. */
  public static final class RejectAdvice {
    private RejectAdvice() {}

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This Object channel, @Advice.Argument(0) long deliveryTag,
        @Advice.Thrown Throwable thrown) {
      PulledMessages.settled(channel, deliveryTag, false, thrown);
    }
  }

  /** {@code basicNack(deliveryTag, multiple, requeue)}. */
  public static final class NackAdvice {
    private NackAdvice() {}

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This Object channel, @Advice.Argument(0) long deliveryTag,
        @Advice.Argument(1) boolean multiple, @Advice.Thrown Throwable thrown) {
      PulledMessages.settled(channel, deliveryTag, multiple, thrown);
    }
  }
}
