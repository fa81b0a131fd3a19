package dev.loupe.agent.loss.rabbit;

import static io.opentelemetry.javaagent.extension.matcher.AgentElementMatchers.extendsClass;
import static io.opentelemetry.javaagent.extension.matcher.AgentElementMatchers.hasClassesNamed;
import static io.opentelemetry.javaagent.extension.matcher.AgentElementMatchers.implementsInterface;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.impl.AMQCommand;
import com.rabbitmq.client.impl.ChannelN;
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

  /**
   * After the agent's RabbitMQ instrumentation: a publish, a delivery and a consumer's failure are
   * remembered with the producer or consumer span it made current.
   */
  @Override
  public int order() {
    return 1;
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return Arrays.asList(new ChannelInstrumentation(), new RpcInstrumentation(), new CommandInstrumentation(),
        new DispatcherInstrumentation(), new ConsumerInstrumentation());
  }

  @Override
  public List<String> getAdditionalHelperClassNames() {
    String p = "dev.loupe.agent.loss.rabbit.";
    return HelperClasses.of(getClass(), "dev.loupe.agent.Guard", p + "ChannelLedger", p + "QueueArguments", p + "LossSpans",
        p + "RabbitLoss", "dev.loupe.agent.order.mdc.ContextOrder", "dev.loupe.agent.order.mdc.PulledOrder",
        "dev.loupe.agent.order.amqp.AmqpBodyOrderId", "dev.loupe.agent.order.amqp.PulledMessages");
  }

  @Override
  public boolean isHelperClass(String className) {
    return getAdditionalHelperClassNames().contains(className)
        || className.startsWith("dev.loupe.agent.loss.rabbit.") && !className.startsWith(SELF);
  }

  /**
   * The client's channel, and its subclasses (the recovering client's channel settles messages
   * itself, without calling up): publishing, consuming, settling, declaring queues, and the answers to
   * synchronous commands, which show the broker took everything sent before.
   */
  public static final class ChannelInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return named("com.rabbitmq.client.impl.ChannelN").or(extendsClass(named("com.rabbitmq.client.impl.ChannelN")));
    }

    @Override
    public void transform(TypeTransformer t) {
      t.applyAdviceToMethod(isPublic().and(named("basicAck")).and(takesArguments(2)), SELF + "$AckAdvice");
      t.applyAdviceToMethod(isPublic().and(named("basicReject")).and(takesArguments(2)), SELF + "$RejectAdvice");
      t.applyAdviceToMethod(isPublic().and(named("basicNack")).and(takesArguments(3)), SELF + "$NackAdvice");
      t.applyAdviceToMethod(isPublic().and(named("basicRecover")).and(takesArguments(1)), SELF + "$RecoverAdvice");
      t.applyAdviceToMethod(isPublic().and(named("basicCancel")).and(takesArguments(1))
          .and(takesArgument(0, String.class)), SELF + "$CancelAdvice");
      t.applyAdviceToMethod(isPublic().and(named("basicPublish")).and(takesArguments(6))
          .and(takesArgument(2, boolean.class)), SELF + "$PublishAdvice");
      t.applyAdviceToMethod(isPublic().and(named("basicConsume")).and(takesArguments(7))
          .and(takesArgument(0, String.class)).and(takesArgument(6, named("com.rabbitmq.client.Consumer"))),
          SELF + "$ConsumeAdvice");
      t.applyAdviceToMethod(isPublic().and(named("basicGet")).and(takesArguments(2))
          .and(takesArgument(0, String.class)), SELF + "$GetAdvice");
      t.applyAdviceToMethod(isPublic().and(named("queueDeclare")).and(takesArguments(5)), SELF + "$DeclareAdvice");
      t.applyAdviceToMethod(named("markRpcFinished").and(takesArguments(0)), SELF + "$RoundTripAdvice");
    }
  }

  /** Where every channel sends a synchronous command (nothing else is sent on the channel meanwhile), and matches its answer. */
  public static final class RpcInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return named("com.rabbitmq.client.impl.AMQChannel");
    }

    @Override
    public void transform(TypeTransformer t) {
      t.applyAdviceToMethod(isPublic().and(named("enqueueRpc").and(takesArguments(1))
          .or(named("enqueueAsyncRpc").and(takesArguments(2)))), SELF + "$AskingAdvice");
      t.applyAdviceToMethod(isPublic().and(named("nextOutstandingRpc")).and(takesArguments(0)), SELF + "$AnsweredAdvice");
      t.applyAdviceToMethod(named("cleanRpcChannelState").and(takesArguments(0)), SELF + "$AbandonedAdvice");
    }
  }

  /**
   * Where the client writes a command's frames: {@code AMQCommand.transmit(channel)}, called only from
   * {@code AMQChannel.quiescingTransmit}, which holds the channel's lock. A publish is remembered here,
   * in the order the broker reads the channel, without a lock of our own.
   */
  public static final class CommandInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return named("com.rabbitmq.client.impl.AMQCommand");
    }

    @Override
    public void transform(TypeTransformer t) {
      t.applyAdviceToMethod(isPublic().and(named("transmit")).and(takesArguments(1))
          .and(takesArgument(0, named("com.rabbitmq.client.impl.AMQChannel"))), SELF + "$TransmitAdvice");
    }
  }

  /** The client's dispatcher, which hands the broker's consume-ok to a consumer before any delivery. */
  public static final class DispatcherInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return named("com.rabbitmq.client.impl.ConsumerDispatcher");
    }

    @Override
    public void transform(TypeTransformer t) {
      t.applyAdviceToMethod(isPublic().and(named("handleConsumeOk")).and(takesArguments(2))
          .and(takesArgument(1, String.class)), SELF + "$ConsumeOkAdvice");
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

  /** {@code basicAck(deliveryTag, multiple)}. */
  public static final class AckAdvice {
    private AckAdvice() {}

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This ChannelN channel, @Advice.Argument(0) long deliveryTag,
        @Advice.Argument(1) boolean multiple, @Advice.Thrown Throwable thrown) {
      RabbitLoss.settled(channel, deliveryTag, multiple, false, true, thrown);
    }
  }

  /** {@code basicReject(deliveryTag, requeue)}. */
  public static final class RejectAdvice {
    private RejectAdvice() {}

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This ChannelN channel, @Advice.Argument(0) long deliveryTag,
        @Advice.Argument(1) boolean requeue, @Advice.Thrown Throwable thrown) {
      RabbitLoss.settled(channel, deliveryTag, false, requeue, false, thrown);
    }
  }

  /** {@code basicNack(deliveryTag, multiple, requeue)}. */
  public static final class NackAdvice {
    private NackAdvice() {}

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This ChannelN channel, @Advice.Argument(0) long deliveryTag,
        @Advice.Argument(1) boolean multiple, @Advice.Argument(2) boolean requeue, @Advice.Thrown Throwable thrown) {
      RabbitLoss.settled(channel, deliveryTag, multiple, requeue, false, thrown);
    }
  }

  /** {@code basicRecover(requeue)}: the broker takes back every delivery unsettled when it was sent. */
  public static final class RecoverAdvice {
    private RecoverAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static long enter(@Advice.This ChannelN channel) {
      return RabbitLoss.recovering(channel);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This ChannelN channel, @Advice.Enter long upTo, @Advice.Thrown Throwable thrown) {
      RabbitLoss.recovered(channel, upTo, thrown);
    }
  }

  /** {@code basicCancel(consumerTag)}: the consumer's tag is forgotten, so that the maps do not grow. */
  public static final class CancelAdvice {
    private CancelAdvice() {}

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This ChannelN channel, @Advice.Argument(0) String consumerTag,
        @Advice.Thrown Throwable thrown) {
      RabbitLoss.cancelled(channel, consumerTag, thrown);
    }
  }

  /**
   * {@code basicPublish(exchange, routingKey, mandatory, immediate, properties, body)}: the mandatory
   * flag to publish with. The publish itself is remembered where its frames are written ({@link
   * TransmitAdvice}).
   */
  public static final class PublishAdvice {
    private PublishAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.This ChannelN channel, @Advice.Argument(value = 2, readOnly = false) boolean mandatory) {
      mandatory = RabbitLoss.publishing(channel, mandatory);
    }
  }

  /** {@code AMQCommand.transmit(channel)}: a publish is about to be written; withdrawn if the write throws. */
  public static final class TransmitAdvice {
    private TransmitAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.This AMQCommand command, @Advice.Argument(0) Object channel) {
      return RabbitLoss.transmitting(channel, command);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object publish, @Advice.Thrown Throwable thrown) {
      RabbitLoss.transmitted(publish, thrown);
    }
  }

  /**
   * {@code basicConsume(queue, autoAck, consumerTag, noLocal, exclusive, arguments, consumer)}, which
   * every overload calls. The first deliveries can reach the consumer before the call returns: the
   * consumer is announced before it is sent, and known by its tag from the broker's consume-ok.
   */
  public static final class ConsumeAdvice {
    private ConsumeAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.This ChannelN channel, @Advice.Argument(0) String queue,
        @Advice.Argument(1) boolean autoAck, @Advice.Argument(2) String consumerTag) {
      return RabbitLoss.subscribing(channel, queue, autoAck, consumerTag);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object subscribing, @Advice.Return String consumerTag,
        @Advice.Thrown Throwable thrown) {
      RabbitLoss.subscribed(subscribing, consumerTag, thrown);
    }
  }

  /** {@code ConsumerDispatcher.handleConsumeOk(consumer, consumerTag)}, on the connection's thread. */
  public static final class ConsumeOkAdvice {
    private ConsumeOkAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.FieldValue("channel") Channel channel, @Advice.Argument(1) String consumerTag) {
      RabbitLoss.consumeOk(channel, consumerTag);
    }
  }

  /** {@code basicGet(queue, autoAck)}. */
  public static final class GetAdvice {
    private GetAdvice() {}

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This ChannelN channel, @Advice.Argument(0) String queue,
        @Advice.Argument(1) boolean autoAck, @Advice.Return GetResponse response) {
      RabbitLoss.fetched(channel, queue, autoAck, response);
    }
  }

  /** {@code queueDeclare(queue, durable, exclusive, autoDelete, arguments)}. */
  public static final class DeclareAdvice {
    private DeclareAdvice() {}

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Argument(4) Map<String, Object> arguments, @Advice.Return AMQP.Queue.DeclareOk ok) {
      RabbitLoss.declared(arguments, ok);
    }
  }

  /** {@code enqueueRpc} and {@code enqueueAsyncRpc}: a synchronous command is about to be sent. */
  public static final class AskingAdvice {
    private AskingAdvice() {}

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object channel) {
      RabbitLoss.asking(channel);
    }
  }

  /**
   * {@code nextOutstandingRpc()}: the broker's answer was matched to the command waiting for it, on the
   * connection's thread, before that command's caller is woken.
   */
  public static final class AnsweredAdvice {
    private AnsweredAdvice() {}

    /** While the command is still outstanding, no other can be sent: what it was sent after is read here. */
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static long enter(@Advice.This Object channel) {
      return RabbitLoss.answering(channel);
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object channel, @Advice.Enter long asked, @Advice.Return Object rpc) {
      if (rpc != null) {
        RabbitLoss.answered(channel, asked);
      }
    }
  }

  /**
   * {@code cleanRpcChannelState()}: the client gave up waiting for an answer; it finishes the command
   * without one, which proves nothing.
   */
  public static final class AbandonedAdvice {
    private AbandonedAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.This Object channel) {
      RabbitLoss.abandoned(channel);
    }
  }

  /** {@code markRpcFinished()}: the broker answered a synchronous command. */
  public static final class RoundTripAdvice {
    private RoundTripAdvice() {}

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This ChannelN channel) {
      RabbitLoss.roundTrip(channel);
    }
  }

  /** {@code handleDelivery(consumerTag, envelope, properties, body)}: which delivery, and whether it threw. */
  public static final class ConsumerAdvice {
    private ConsumerAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static boolean enter(@Advice.This Object consumer, @Advice.Argument(0) String consumerTag,
        @Advice.Argument(1) Envelope envelope) {
      return RabbitLoss.delivering(consumer, consumerTag, envelope);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter boolean tookCharge, @Advice.Thrown Throwable thrown) {
      if (tookCharge) {
        RabbitLoss.delivered(thrown);
      }
    }
  }
}
