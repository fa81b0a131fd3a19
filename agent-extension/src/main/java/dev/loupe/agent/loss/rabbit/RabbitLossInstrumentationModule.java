package dev.loupe.agent.loss.rabbit;

import static io.opentelemetry.javaagent.extension.matcher.AgentElementMatchers.extendsClass;
import static io.opentelemetry.javaagent.extension.matcher.AgentElementMatchers.hasClassesNamed;
import static io.opentelemetry.javaagent.extension.matcher.AgentElementMatchers.implementsInterface;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.impl.ChannelN;
import io.opentelemetry.javaagent.extension.instrumentation.InstrumentationModule;
import io.opentelemetry.javaagent.extension.instrumentation.TypeInstrumentation;
import io.opentelemetry.javaagent.extension.instrumentation.TypeTransformer;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** Where RabbitMQ loses order messages without the agent's own instrumentation saying so. */
public final class RabbitLossInstrumentationModule extends InstrumentationModule {

  private static final String SELF = RabbitLossInstrumentationModule.class.getName();

  public RabbitLossInstrumentationModule() {
    super("loupe-rabbitmq-loss");
  }

  @Override
  public ElementMatcher.Junction<ClassLoader> classLoaderMatcher() {
    return hasClassesNamed("com.rabbitmq.client.impl.ChannelN");
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new ChannelInstrumentation(), new ConsumerInstrumentation());
  }

  @Override
  public List<String> getAdditionalHelperClassNames() {
    return List.of("dev.loupe.agent.Guard", RabbitLoss.class.getName() + "$Returns$1", RabbitLoss.class.getName() + "$Returns",
        RabbitLoss.class.getName() + "$Confirms", RabbitLoss.class.getName());
  }

  @Override
  public boolean isHelperClass(String className) {
    return className.equals("dev.loupe.agent.Guard") || className.startsWith(RabbitLoss.class.getName());
  }

  /**
   * Settling and publishing on the client's channel, and on its subclasses: the recovering client's
   * channel settles messages itself, without calling up.
   */
  public static final class ChannelInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return named("com.rabbitmq.client.impl.ChannelN").or(extendsClass(named("com.rabbitmq.client.impl.ChannelN")));
    }

    @Override
    public void transform(TypeTransformer t) {
      t.applyAdviceToMethod(isPublic().and(named("basicReject")).and(takesArguments(2)), SELF + "$RejectAdvice");
      t.applyAdviceToMethod(isPublic().and(named("basicNack")).and(takesArguments(3)), SELF + "$NackAdvice");
      t.applyAdviceToMethod(isPublic().and(named("basicPublish")).and(takesArguments(6))
          .and(takesArgument(2, boolean.class)), SELF + "$PublishAdvice");
    }
  }

  /** Every consumer's {@code handleDelivery}. */
  public static final class ConsumerInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return implementsInterface(named("com.rabbitmq.client.Consumer"));
    }

    @Override
    public void transform(TypeTransformer t) {
      t.applyAdviceToMethod(isPublic().and(named("handleDelivery")).and(takesArguments(4))
          .and(takesArgument(1, named("com.rabbitmq.client.Envelope"))), SELF + "$ConsumerAdvice");
    }
  }

  /** {@code basicReject(deliveryTag, requeue)}. */
  public static final class RejectAdvice {
    private RejectAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(1) boolean requeue) {
      RabbitLoss.settled(requeue);
    }
  }

  /** {@code basicNack(deliveryTag, multiple, requeue)}. */
  public static final class NackAdvice {
    private NackAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(2) boolean requeue) {
      RabbitLoss.settled(requeue);
    }
  }

  /** {@code basicPublish(exchange, routingKey, mandatory, immediate, properties, body)}. */
  public static final class PublishAdvice {
    private PublishAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.This ChannelN channel, @Advice.Argument(0) String exchange,
        @Advice.Argument(value = 2, readOnly = false) boolean mandatory) {
      mandatory = RabbitLoss.publishing(channel, mandatory);
      RabbitLoss.sending(channel, exchange);
    }
  }

  /** {@code handleDelivery(consumerTag, envelope, properties, body)}: which exchange, and whether it threw. */
  public static final class ConsumerAdvice {
    private ConsumerAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(1) Envelope envelope) {
      RabbitLoss.delivering(envelope.getExchange());
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Thrown Throwable thrown) {
      RabbitLoss.consumerFailed(thrown);
      RabbitLoss.delivered();
    }
  }
}
