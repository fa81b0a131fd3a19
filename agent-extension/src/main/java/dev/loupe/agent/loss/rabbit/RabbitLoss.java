package dev.loupe.agent.loss.rabbit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.AMQCommand;
import com.rabbitmq.client.impl.ChannelN;
import com.rabbitmq.client.impl.recovery.AutorecoveringChannel;
import com.rabbitmq.client.impl.recovery.RecoveryAwareChannelN;
import dev.loupe.agent.Guard;
import dev.loupe.agent.loss.LossAttributes;
import dev.loupe.agent.loss.rabbit.ChannelLedger.Delivery;
import dev.loupe.agent.loss.rabbit.ChannelLedger.Publish;
import dev.loupe.agent.loss.rabbit.ChannelLedger.Subscription;
import dev.loupe.agent.order.amqp.PulledMessages;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs inside the application's class loader, called by the RabbitMQ advice: keeps each channel's
 * {@link ChannelLedger} and reports, with its order, every message the broker will not deliver:
 *
 * <ul>
 *   <li>{@code rejected}: a delivery rejected or nacked without requeue from a queue with no known
 *       dead-letter exchange; {@code dead_lettered} from a queue with one (parked, not lost);
 *   <li>{@code consumer_failed}: a consumer threw after the message was gone from the broker (auto-ack,
 *       or acknowledged before the throw); a manually acknowledged delivery still unsettled is
 *       redelivered by the broker, and is not reported;
 *   <li>{@code publish_refused}: a publish the broker answered by closing the channel (404, 403, 406,
 *       ...), and those it discarded after it;
 *   <li>{@code publish_nacked}, {@code unroutable}: a publisher-confirm nack; a mandatory message returned.
 * </ul>
 *
 * Every entry point swallows its own failures ({@link Guard}): the application sees nothing of them.
 * Nothing here may fail while the class initialises: a helper that cannot initialise could not say so.
 */
public final class RabbitLoss {

  public static final String DETECT_UNROUTABLE_HANDOFF = "loupe.internal.messaging.detect-unroutable";
  public static final String TRACKED_HANDOFF = "loupe.internal.messaging.tracked-per-channel";
  public static final String DEAD_LETTER_QUEUES_HANDOFF = QueueArguments.DEAD_LETTER_QUEUES_HANDOFF;

  private static final Guard guard = Guard.named("RabbitMQ loss sentinels");
  /**
   * Each open channel's ledger. Channels compare by identity; an open channel is held by its connection
   * anyway, and its entry goes when it closes (or its connection does), so nothing outlives it.
   */
  private static final Map<ChannelN, ChannelLedger> ledgers = new ConcurrentHashMap<>();
  /** Held only while a channel's ledger or listeners are first set up. */
  private static final Object SETTING_UP = new Object();
  /** Consumer tags to their subscription; a tag two open channels use is {@link #AMBIGUOUS}. */
  private static final Map<String, Object> consumers = new ConcurrentHashMap<>();
  private static final Object AMBIGUOUS = new Object();
  /** What the current thread's consumer is handling; one per thread, reused, so a delivery allocates nothing. */
  private static final ThreadLocal<Handling> handling = new PerThread();
  private static final Returns RETURNS = new Returns();
  private static final Field RETURN_LISTENERS = returnListenersField();
  private static final MethodHandle COMMAND_ASSEMBLER = fieldGetter("com.rabbitmq.client.impl.AMQCommand", "assembler");
  private static final MethodHandle ASSEMBLED_METHOD = fieldGetter("com.rabbitmq.client.impl.CommandAssembler", "method");
  private static final boolean DETECT_UNROUTABLE = Boolean.getBoolean(DETECT_UNROUTABLE_HANDOFF);
  private static final int TRACKED = Integer.getInteger(TRACKED_HANDOFF, 512);
  static final QueueArguments queues = new QueueArguments(System.getProperty(DEAD_LETTER_QUEUES_HANDOFF));

  private RabbitLoss() {}

  /**
   * What a thread's consumer is handling: its ledger's {@link Delivery} slot (manual acknowledgement)
   * and its delivery tag, its {@link Subscription} (auto-ack), or, when the consumer is unknown, the
   * destination's name; null between deliveries.
   */
  static final class Handling {
    Object what;
    long tag;
  }

  /** Each thread's {@link Handling}, made on its first delivery. */
  static final class PerThread extends ThreadLocal<Handling> {
    @Override
    protected Handling initialValue() {
      return new Handling();
    }
  }

  // --- entry points: each guarded --------------------------------------------------------------

  /** Before {@code basicPublish}: the {@code mandatory} flag to publish with; on any failure the application's own. */
  public static boolean publishing(ChannelN channel, boolean mandatory) {
    try {
      return guard.on() ? publishingUnguarded(channel, mandatory) : mandatory;
    } catch (Throwable e) {
      guard.failed(e);
      return mandatory;
    }
  }

  /**
   * The client is about to write {@code command}'s frames on {@code channel} ({@code
   * AMQCommand.transmit}, which the client calls only from {@code AMQChannel.quiescingTransmit}, with
   * the channel's lock held): a publish is remembered here, one at a time and in the order the broker
   * will read it. Returns the publish (for {@link #transmitted}), or null for any other command.
   */
  public static Object transmitting(Object channel, AMQCommand command) {
    try {
      return guard.on() && channel instanceof ChannelN ? transmittingUnguarded((ChannelN) channel, command) : null;
    } catch (Throwable e) {
      guard.failed(e);
      return null;
    }
  }

  /**
   * After {@code AMQCommand.transmit}: if it threw, {@code publish} (from {@link #transmitting}) never
   * fully went out. It is withdrawn from the ledger that took it: the call may have thrown because the
   * channel closed meanwhile, and the channel's ledger then is gone (a look-up now would make a new,
   * empty one).
   */
  public static void transmitted(Object publish, Throwable thrown) {
    try {
      if (thrown != null && publish != null && guard.on()) {
        Publish p = (Publish) publish;
        if (p.owner != null) {
          p.owner.withdraw(p);
        }
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  /** Before {@code basicConsume}: what the consumer will be, to learn its tag from; or null. */
  public static Object subscribing(ChannelN channel, String queue, boolean autoAck, String consumerTag) {
    try {
      if (!guard.on()) {
        return null;
      }
      ChannelLedger ledger = ledger(channel);
      Subscription subscription = new Subscription(ledger, queue, autoAck, consumerTag);
      ledger.consuming(subscription);
      return subscription;
    } catch (Throwable e) {
      guard.failed(e);
      return null;
    }
  }

  /**
   * The broker's consume-ok for {@code consumerTag} on {@code channel}, handled on the connection's
   * thread before any delivery to the consumer: from here on its deliveries are known.
   */
  public static void consumeOk(Channel channel, String consumerTag) {
    try {
      ChannelLedger ledger = guard.on() && channel instanceof ChannelN ? ledgers.get((ChannelN) channel) : null;
      Subscription subscription = ledger == null ? null : ledger.consumeOk(consumerTag);
      if (subscription != null) {
        register(subscription, consumerTag);
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  /** After {@code basicConsume} (from {@link #subscribing}) returned {@code consumerTag}, or threw. */
  public static void subscribed(Object subscribing, String consumerTag, Throwable thrown) {
    try {
      if (subscribing instanceof Subscription && guard.on()) {
        Subscription subscription = (Subscription) subscribing;
        subscription.ledger.consumed(subscription);
        if (thrown == null && consumerTag != null && !subscription.registered) {
          register(subscription, consumerTag);
        }
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  /**
   * After {@code basicGet}: a message fetched for manual acknowledgement is remembered until settled,
   * with the order it names ({@link PulledMessages#orderOf}).
   */
  public static void fetched(ChannelN channel, String queue, boolean autoAck, GetResponse response) {
    try {
      if (response != null && !autoAck && guard.on()) {
        String id = PulledMessages.orderOf(response);
        // no context surrounds a pulled message: its order goes with it in the ledger, for a loss report
        Context context = id == null ? null
            : Context.current().with(Baggage.current().toBuilder().put("order.id", id).build());
        ledger(channel).delivered(response.getEnvelope().getDeliveryTag(), context, queue, true);
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  /** A consumer's {@code handleDelivery} begins; true if this call took charge of the delivery (not a nested one). */
  public static boolean delivering(Object consumer, String consumerTag, Envelope envelope) {
    try {
      return guard.on() && deliveringUnguarded(consumer, consumerTag, envelope);
    } catch (Throwable e) {
      guard.failed(e);
      return false;
    }
  }

  /** The {@code handleDelivery} that took charge returned, or threw {@code thrown}. */
  public static void delivered(Throwable thrown) {
    try {
      Handling h = handling.get();
      Object delivery = h.what;
      h.what = null;
      if (thrown != null && delivery != null && guard.on()) {
        failedUnguarded(delivery, h.tag);
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  /**
   * After {@code basicAck} ({@code ack}), {@code basicNack} or {@code basicReject} of {@code tag}
   * ({@code multiple}: every delivery up to it) returned normally.
   */
  public static void settled(ChannelN channel, long tag, boolean multiple, boolean requeue, boolean ack, Throwable thrown) {
    try {
      if (thrown == null && guard.on()) {
        settledUnguarded(channel, tag, multiple, requeue, ack);
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  /** Before {@code basicRecover}: the highest delivery tag it can take back, or -1. */
  public static long recovering(ChannelN channel) {
    try {
      ChannelLedger ledger = guard.on() ? ledgers.get(channel) : null;
      return ledger == null ? -1 : ledger.highestDelivered();
    } catch (Throwable e) {
      guard.failed(e);
      return -1;
    }
  }

  /**
   * After {@code basicRecover}: the broker took back every unsettled delivery up to {@code upTo} (from
   * {@link #recovering}); what it redelivers in answer may already have arrived, and is not taken back.
   */
  public static void recovered(ChannelN channel, long upTo, Throwable thrown) {
    try {
      ChannelLedger ledger = thrown == null && upTo > 0 && guard.on() ? ledgers.get(channel) : null;
      if (ledger != null) {
        ledger.requeueAll(upTo);
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  /** After {@code queueDeclare} with {@code arguments} was answered {@code ok}. */
  public static void declared(Map<String, Object> arguments, AMQP.Queue.DeclareOk ok) {
    try {
      if (ok != null && guard.on()) {
        queues.declared(ok.getQueue(), arguments);
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  /** A synchronous command is about to be sent on {@code channel}. */
  public static void asking(Object channel) {
    try {
      ChannelLedger ledger = guard.on() && channel instanceof ChannelN ? ledgers.get((ChannelN) channel) : null;
      if (ledger != null) {
        ledger.asking();
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  /**
   * The client matched the broker's answer to the synchronous command waiting on {@code channel}
   * ({@code nextOutstandingRpc} returned it), before it wakes the call that waits.
   */
  public static void answered(Object channel, long asked) {
    try {
      ChannelLedger ledger = guard.on() && channel instanceof ChannelN ? ledgers.get((ChannelN) channel) : null;
      if (ledger != null) {
        ledger.answered(asked);
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  /**
   * Before {@code nextOutstandingRpc()}: the publish count when the outstanding command was sent (no
   * other command can be sent until this one's answer is matched), or -1.
   */
  public static long answering(Object channel) {
    try {
      ChannelLedger ledger = guard.on() && channel instanceof ChannelN ? ledgers.get((ChannelN) channel) : null;
      return ledger == null ? -1 : ledger.answering();
    } catch (Throwable e) {
      guard.failed(e);
      return -1;
    }
  }

  /** {@code cleanRpcChannelState()}: the client gave up on the outstanding command (a timeout). */
  public static void abandoned(Object channel) {
    try {
      ChannelLedger ledger = guard.on() && channel instanceof ChannelN ? ledgers.get((ChannelN) channel) : null;
      if (ledger != null) {
        ledger.abandoned();
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  /** Whether a consumer of {@code consumerTag} is known on some open channel (tests and diagnostics). */
  static boolean knowsConsumer(String consumerTag) {
    return consumers.containsKey(consumerTag);
  }

  /** After {@code basicCancel(consumerTag)}: the consumer is gone; its tag may be reused. */
  public static void cancelled(ChannelN channel, String consumerTag, Throwable thrown) {
    try {
      ChannelLedger ledger = thrown == null && consumerTag != null && guard.on() ? ledgers.get(channel) : null;
      Subscription subscription = ledger == null ? null : ledger.subscriptions.remove(consumerTag);
      if (subscription != null) {
        consumers.remove(consumerTag, subscription);
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  /** The broker answered a synchronous command on {@code channel}. */
  public static void roundTrip(ChannelN channel) {
    try {
      ChannelLedger ledger = guard.on() ? ledgers.get(channel) : null;
      if (ledger != null) {
        ledger.roundTrip();
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  // --- publishing -------------------------------------------------------------------------------

  /**
   * A mandatory publish is always watched for returns. A non-mandatory one is made mandatory only with
   * the opt-in setting, and only on a channel without return listeners of the application's, which
   * would otherwise see returns it never asked for; our own listener tells nobody but the telemetry.
   */
  private static boolean publishingUnguarded(ChannelN channel, boolean mandatory) {
    if (mandatory) {
      watchReturns(channel);
      return true;
    }
    if (!DETECT_UNROUTABLE || applicationListens(channel)) {
      return false;
    }
    watchReturns(channel);
    return true;
  }

  private static Publish transmittingUnguarded(ChannelN channel, AMQCommand command) throws Throwable {
    Object method = methodOf(command);
    if (!(method instanceof AMQP.Basic.Publish)) {
      if (method instanceof AMQP.Confirm.Select) {
        ledger(channel).confirmsSelected();
      }
      return null;
    }
    AMQP.Basic.Publish publish = (AMQP.Basic.Publish) method;
    ChannelLedger ledger = ledger(channel);
    // numbered by the ledger as the broker numbers it, in the order the frames go out: the client's own
    // number is taken before the channel's lock, and two threads publishing at once can share one
    Publish p = ledger.published(Context.current(), publish.getExchange(), publish.getRoutingKey());
    if (p.sequence > 0 && !ledger.confirming) {
      synchronized (SETTING_UP) {
        if (!ledger.confirming) {
          channel.addConfirmListener(new Confirms(ledger));
          ledger.confirming = true;
        }
      }
    }
    return p;
  }

  /**
   * The command's method (a {@code basic.publish}, a {@code basic.ack}, ...). Read from the client's
   * fields where it has them ({@code AMQCommand.assembler}, {@code CommandAssembler.method}, in 5.x):
   * {@code AMQCommand.getMethod()} takes the assembler's lock, which would be most of what a publish
   * costs here, and an outbound command is its sending thread's own, made by that thread. Otherwise
   * through {@code getMethod()}.
   */
  private static Object methodOf(AMQCommand command) throws Throwable {
    if (COMMAND_ASSEMBLER == null || ASSEMBLED_METHOD == null) {
      return command.getMethod();
    }
    Object assembler = (Object) COMMAND_ASSEMBLER.invokeExact((Object) command);
    return assembler == null ? command.getMethod() : (Object) ASSEMBLED_METHOD.invokeExact(assembler);
  }

  /** A getter of {@code type}'s field {@code name}, taking and returning Object; null if there is none. */
  private static MethodHandle fieldGetter(String type, String name) {
    try {
      Field f = Class.forName(type, false, RabbitLoss.class.getClassLoader()).getDeclaredField(name);
      f.setAccessible(true);
      return MethodHandles.lookup().unreflectGetter(f).asType(MethodType.methodType(Object.class, Object.class));
    } catch (Throwable e) {
      return null; // another client: getMethod() it is
    }
  }

  private static void watchReturns(ChannelN channel) {
    ChannelLedger ledger = ledger(channel);
    if (!ledger.watchingReturns) {
      synchronized (SETTING_UP) {
        if (!ledger.watchingReturns) {
          channel.addReturnListener(RETURNS);
          ledger.watchingReturns = true;
        }
      }
    }
  }

  private static boolean applicationListens(ChannelN channel) {
    try {
      for (Object listener : (Collection<?>) RETURN_LISTENERS.get(channel)) {
        if (listener != RETURNS) {
          return true;
        }
      }
      return false;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return true; // cannot tell: leave the publish as the application made it
    }
  }

  private static Field returnListenersField() {
    try {
      Field f = ChannelN.class.getDeclaredField("returnListeners");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // applicationListens then always answers true: publishes stay as they are
    }
  }

  // --- consuming --------------------------------------------------------------------------------

  private static void register(Subscription subscription, String consumerTag) {
    ChannelLedger ledger = subscription.ledger;
    subscription.registered = true;
    ledger.subscriptions.put(consumerTag, subscription);
    consumers.merge(consumerTag, subscription, (known, mine) ->
        known instanceof Subscription && (((Subscription) known).ledger.closed || ((Subscription) known).ledger == ledger)
            ? mine : AMBIGUOUS);
  }

  private static boolean deliveringUnguarded(Object consumer, String consumerTag, Envelope envelope) {
    Handling h = handling.get();
    if (h.what != null) {
      return false; // a consumer called by another consumer: the outer one speaks for the delivery
    }
    Subscription subscription = subscription(consumer, consumerTag);
    Object delivery;
    if (subscription == null) {
      delivery = LossSpans.ofPublish(envelope.getExchange(), envelope.getRoutingKey());
    } else if (subscription.autoAck) {
      delivery = subscription;
    } else {
      delivery = subscription.ledger.delivered(envelope.getDeliveryTag(), Context.current(), subscription.queue);
    }
    h.what = delivery;
    h.tag = envelope.getDeliveryTag();
    return true;
  }

  private static Subscription subscription(Object consumer, String consumerTag) {
    Object known = consumerTag == null ? null : consumers.get(consumerTag);
    if (known instanceof Subscription) {
      return (Subscription) known;
    }
    if (known == AMBIGUOUS && consumer instanceof DefaultConsumer) {
      Channel channel = ((DefaultConsumer) consumer).getChannel();
      if (channel instanceof AutorecoveringChannel) {
        channel = ((AutorecoveringChannel) channel).getDelegate();
      }
      ChannelLedger ledger = channel instanceof ChannelN ? ledgers.get((ChannelN) channel) : null;
      return ledger == null ? null : ledger.subscriptions.get(consumerTag);
    }
    return null;
  }

  /**
   * A consumer threw. The message is lost if the broker no longer has it: delivered with auto-ack, or
   * acknowledged before the throw. Still unsettled, the broker delivers it again (once the channel
   * closes); rejected or nacked, that was reported already. An unknown consumer's is reported: it
   * cannot be told apart, and a missed loss costs more than a doubtful report.
   */
  private static void failedUnguarded(Object delivery, long tag) {
    if (delivery instanceof Delivery) {
      Delivery d = (Delivery) delivery;
      if (d.acked(tag)) {
        LossSpans.mark(LossSpans.ofQueue(d.queue), LossAttributes.CONSUMER_FAILED);
      }
    } else if (delivery instanceof Subscription) {
      LossSpans.mark(LossSpans.ofQueue(((Subscription) delivery).queue), LossAttributes.CONSUMER_FAILED);
    } else {
      LossSpans.mark((String) delivery, LossAttributes.CONSUMER_FAILED);
    }
  }

  private static void settledUnguarded(ChannelN channel, long tag, boolean multiple, boolean requeue, boolean ack) {
    int outcome = ack ? Delivery.ACKED : requeue ? Delivery.REQUEUED : Delivery.DROPPED;
    ChannelLedger ledger = ledgers.get(channel);
    if (outcome != Delivery.DROPPED) {
      if (ledger != null) {
        ledger.settle(tag, multiple, outcome, null); // nothing to report: no copies made
      }
      return;
    }
    List<Delivery> settled = ledger == null ? Collections.<Delivery>emptyList() : ledger.settle(tag, multiple, outcome);
    for (Delivery d : settled) {
      dropped(d.context, d.queue);
    }
    if (settled.isEmpty() && !stale(channel, tag, multiple) && (ledger == null || ledger.unseen(tag, multiple))) {
      Object current = handling.get().what;
      String queue = current instanceof Delivery ? ((Delivery) current).queue
          : current instanceof Subscription ? ((Subscription) current).queue : null;
      if (queue != null) {
        dropped(null, queue);
      } else {
        LossSpans.report(null, current instanceof String ? (String) current : LossAttributes.UNKNOWN, "rejected",
            LossAttributes.REJECTED);
      }
    }
  }

  /** A delivery tag from before the connection recovered: the recovering client ignores it, the broker requeued it. */
  private static boolean stale(ChannelN channel, long tag, boolean multiple) {
    return channel instanceof RecoveryAwareChannelN && !(multiple && tag == 0)
        && tag <= ((RecoveryAwareChannelN) channel).getActiveDeliveryTagOffset();
  }

  /** Rejected or nacked without requeue: parked if the queue dead-letters, else gone. */
  private static void dropped(Context work, String queue) {
    String destination = LossSpans.ofQueue(queue);
    if (queues.deadLetters(queue)) {
      LossSpans.report(work, destination, "dead-lettered", LossAttributes.DEAD_LETTERED);
    } else {
      LossSpans.report(work, destination, "rejected", LossAttributes.REJECTED);
    }
  }

  // --- the channel's ledger and the broker's news ------------------------------------------------

  /** The channel's ledger, made (with a listener for the channel's end) on first use. */
  static ChannelLedger ledger(ChannelN channel) {
    ChannelLedger ledger = ledgers.get(channel);
    if (ledger != null) {
      return ledger;
    }
    synchronized (SETTING_UP) {
      ledger = ledgers.get(channel);
      if (ledger == null) {
        ledger = new ChannelLedger(TRACKED);
        ledgers.put(channel, ledger);
        channel.addShutdownListener(new Closing(channel, ledger));
      }
      return ledger;
    }
  }

  /** The channel closed. If the broker closed it for an error, the publishes it refused or discarded are lost. */
  public static final class Closing implements ShutdownListener {
    private final ChannelN channel;
    private final ChannelLedger ledger;

    Closing(ChannelN channel, ChannelLedger ledger) {
      this.channel = channel;
      this.ledger = ledger;
    }

    @Override
    public void shutdownCompleted(ShutdownSignalException cause) {
      try {
        ledgers.remove(channel, ledger);
        if (!guard.on()) {
          return;
        }
        List<Publish> refused = Collections.emptyList();
        AMQP.Channel.Close close = null;
        if (!cause.isHardError() && !cause.isInitiatedByApplication() && cause.getReason() instanceof AMQP.Channel.Close) {
          close = (AMQP.Channel.Close) cause.getReason();
          refused = ledger.refusedBy(close);
        }
        ledger.closed();
        ledger.subscriptions.forEach(consumers::remove); // (tag, subscription): another channel's entry stays
        for (Publish p : refused) {
          LossSpans.loss(p, "refused", LossAttributes.PUBLISH_REFUSED)
              .setAttribute("messaging.rabbitmq.close.reply_code", (long) close.getReplyCode())
              .startSpan()
              .end();
        }
      } catch (Throwable e) {
        guard.failed(e);
      }
    }
  }

  /** The broker's confirms: acks forget, nacks report each publish's order as lost. */
  public static final class Confirms implements ConfirmListener {
    private final ChannelLedger ledger;

    Confirms(ChannelLedger ledger) {
      this.ledger = ledger;
    }

    @Override
    public void handleAck(long deliveryTag, boolean multiple) {
      try {
        if (guard.on()) {
          ledger.confirmed(deliveryTag, multiple, null); // an ack reports nothing: no copies made
        }
      } catch (Throwable e) {
        guard.failed(e);
      }
    }

    @Override
    public void handleNack(long deliveryTag, boolean multiple) {
      try {
        if (!guard.on()) {
          return;
        }
        List<Publish> nacked = ledger.confirmed(deliveryTag, multiple);
        if (nacked.isEmpty()) {
          LossSpans.report(Context.root(), LossAttributes.UNKNOWN, "nacked", LossAttributes.PUBLISH_NACKED);
        }
        for (Publish p : nacked) {
          LossSpans.loss(p, "nacked", LossAttributes.PUBLISH_NACKED).startSpan().end();
        }
      } catch (Throwable e) {
        guard.failed(e);
      }
    }
  }

  /** A message the broker could not route, returned to us: a span in the order's trace says so. */
  public static final class Returns implements ReturnListener {

    @Override
    public void handleReturn(int replyCode, String replyText, String exchange, String routingKey,
        AMQP.BasicProperties properties, byte[] body) {
      try {
        if (!guard.on()) {
          return;
        }
        Context sent = GlobalOpenTelemetry.getPropagators().getTextMapPropagator()
            .extract(Context.root(), properties == null ? null : properties.getHeaders(), Headers.INSTANCE);
        LossSpans.loss(sent, LossSpans.ofPublish(exchange, routingKey), "returned", LossAttributes.UNROUTABLE)
            .setAttribute("messaging.rabbitmq.destination.routing_key", routingKey)
            .setAttribute("messaging.rabbitmq.return.reply_code", (long) replyCode)
            .startSpan()
            .end();
      } catch (Throwable e) {
        guard.failed(e);
      }
    }
  }

  /** Reads a returned message's headers for the trace context and baggage it was published with. */
  public static final class Headers implements TextMapGetter<Map<String, Object>> {
    public static final Headers INSTANCE = new Headers();

    @Override
    public Iterable<String> keys(Map<String, Object> carrier) {
      return carrier == null ? Collections.emptyList() : carrier.keySet();
    }

    @Override
    public String get(Map<String, Object> carrier, String key) {
      Object value = carrier == null ? null : carrier.get(key);
      return value == null ? null : value.toString();
    }
  }
}
