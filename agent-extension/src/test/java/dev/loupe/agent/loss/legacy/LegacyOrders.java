package dev.loupe.agent.loss.legacy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A small legacy service of the kind Loupe is for: plain amqp-client, no framework, no telemetry of
 * its own. Run under the agent and the extension by {@code RabbitLossKindsIT}, it loses (or does not
 * lose) one kind of order message per step, and says on its standard output what the broker did, so
 * the test can hold what Loupe reports to what happened.
 *
 * <p>The order id reaches the extension as a new user's settings would give it:
 * {@code loupe.order-id.methods=dev.loupe.agent.loss.legacy.LegacyOrders#publish:arg1}, and from
 * there in the messages' baggage.
 *
 * <p>Arguments: the broker's port, then the steps to run (all, in order, if none).
 */
public final class LegacyOrders {

  private final Connection connection;

  private LegacyOrders(Connection connection) {
    this.connection = connection;
  }

  public static void main(String[] args) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost("127.0.0.1");
    factory.setPort(Integer.parseInt(args[0]));
    try (Connection connection = factory.newConnection("legacy-orders")) {
      LegacyOrders legacy = new LegacyOrders(connection);
      List<String> steps = args.length > 1 ? List.of(args).subList(1, args.length) : List.of("healthy",
          "deadLetterArgument", "deadLetterPolicy", "rejected", "nackedTogether", "requeued", "redelivered",
          "autoAckFailed", "ackedThenFailed", "missingExchange", "internalExchange", "foreignUserId", "sharedChannel", "nacked",
          "returned", "discarding");
      for (String step : steps) {
        LegacyOrders.class.getDeclaredMethod(step).invoke(legacy);
        System.out.println("STEP " + step + " done");
      }
    }
    System.out.println("ALL DONE");
  }

  /** The one place an order is published; the extension takes the order id from its second argument. */
  public static void publish(Channel channel, String orderId, String exchange, String routingKey, boolean mandatory,
      AMQP.BasicProperties properties) throws IOException {
    channel.basicPublish(exchange, routingKey, mandatory, properties,
        ("{\"orderId\":\"" + orderId + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private static void publish(Channel channel, String orderId, String queue) throws IOException {
    publish(channel, orderId, "", queue, false, null);
  }

  private static String orderOf(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    int at = text.indexOf("JW-");
    return text.substring(at, text.indexOf('"', at));
  }

  private Channel fresh(String queue, Map<String, Object> arguments) throws IOException {
    Channel channel = connection.createChannel();
    channel.queueDelete(queue);
    channel.queueDeclare(queue, true, false, false, arguments);
    return channel;
  }

  /** A consumer that hands each delivery to {@code handler} and counts them down. */
  private static final class Handling extends DefaultConsumer {
    interface Handler {
      void handle(Channel channel, Envelope envelope, String orderId) throws IOException;
    }

    final CountDownLatch latch;
    final Handler handler;

    Handling(Channel channel, int expected, Handler handler) {
      super(channel);
      this.latch = new CountDownLatch(expected);
      this.handler = handler;
    }

    @Override
    public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
        throws IOException {
      try {
        handler.handle(getChannel(), envelope, orderOf(body));
      } finally {
        latch.countDown();
      }
    }

    void await(String what) throws InterruptedException {
      if (!latch.await(20, TimeUnit.SECONDS)) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
    }
  }

  private static void settle() throws InterruptedException {
    Thread.sleep(500);
  }

  // --- the steps ---------------------------------------------------------------------------------

  /** Orders that go through: confirmed publishes, consumed and acknowledged together. Nothing is lost. */
  void healthy() throws Exception {
    Channel channel = fresh("legacy.healthy", null);
    channel.confirmSelect();
    for (int i = 1; i <= 5; i++) {
      publish(channel, "JW-900001" + i, "legacy.healthy");
    }
    channel.waitForConfirmsOrDie(10_000);
    Channel consuming = connection.createChannel();
    List<Long> tags = new ArrayList<>();
    Handling consumer = new Handling(consuming, 5, (ch, envelope, order) -> {
      tags.add(envelope.getDeliveryTag());
      if (tags.size() == 5) {
        ch.basicAck(envelope.getDeliveryTag(), true);
      }
    });
    consuming.basicConsume("legacy.healthy", false, consumer);
    consumer.await("the healthy orders");
    settle();
    System.out.println("healthy left " + channel.messageCount("legacy.healthy"));
    channel.close();
    consuming.close();
  }

  /** Rejected from a queue declared with a dead-letter exchange: parked in the dead-letter queue. */
  void deadLetterArgument() throws Exception {
    Channel setup = deadLetterExchange();
    Channel channel = fresh("legacy.dlx-intake", Map.of("x-dead-letter-exchange", "legacy.dlx"));
    publish(channel, "JW-910001", "legacy.dlx-intake");
    Handling consumer = new Handling(channel, 1, (ch, envelope, order) -> ch.basicReject(envelope.getDeliveryTag(), false));
    channel.basicConsume("legacy.dlx-intake", false, consumer);
    consumer.await("the dead-lettered order");
    settle();
    System.out.println("parked " + setup.messageCount("legacy.parked"));
    setup.close();
    channel.close();
  }

  /** The same, where a broker policy (set by the test) gives the queue its dead-letter exchange. */
  void deadLetterPolicy() throws Exception {
    Channel setup = deadLetterExchange();
    Channel channel = fresh("legacy.policy-intake", null);
    publish(channel, "JW-920001", "legacy.policy-intake");
    Handling consumer = new Handling(channel, 1, (ch, envelope, order) -> ch.basicNack(envelope.getDeliveryTag(), false, false));
    channel.basicConsume("legacy.policy-intake", false, consumer);
    consumer.await("the order dead-lettered by policy");
    settle();
    System.out.println("parked " + setup.messageCount("legacy.parked"));
    setup.close();
    channel.close();
  }

  private Channel deadLetterExchange() throws IOException {
    Channel setup = connection.createChannel();
    setup.exchangeDeclare("legacy.dlx", "fanout", true);
    setup.queueDeclare("legacy.parked", true, false, false, null);
    setup.queueBind("legacy.parked", "legacy.dlx", "");
    return setup;
  }

  /** Nacked without requeue from a queue with no dead-letter exchange: gone. */
  void rejected() throws Exception {
    Channel channel = fresh("legacy.intake", null);
    publish(channel, "JW-930001", "legacy.intake");
    Handling consumer = new Handling(channel, 1, (ch, envelope, order) -> ch.basicNack(envelope.getDeliveryTag(), false, false));
    channel.basicConsume("legacy.intake", false, consumer);
    consumer.await("the rejected order");
    settle();
    System.out.println("intake left " + channel.messageCount("legacy.intake"));
    channel.close();
  }

  /** Three orders dropped by one {@code basicNack(tag, multiple=true, requeue=false)}. */
  void nackedTogether() throws Exception {
    Channel channel = fresh("legacy.batch", null);
    for (int i = 1; i <= 3; i++) {
      publish(channel, "JW-94000" + i, "legacy.batch");
    }
    channel.basicQos(10);
    List<Long> tags = new ArrayList<>();
    Handling consumer = new Handling(channel, 3, (ch, envelope, order) -> {
      tags.add(envelope.getDeliveryTag());
      if (tags.size() == 3) {
        ch.basicNack(envelope.getDeliveryTag(), true, false);
      }
    });
    channel.basicConsume("legacy.batch", false, consumer);
    consumer.await("the batch");
    settle();
    System.out.println("batch left " + channel.messageCount("legacy.batch"));
    channel.close();
  }

  /** Nacked with requeue, then acknowledged when it comes back: never lost. */
  void requeued() throws Exception {
    Channel channel = fresh("legacy.retry", null);
    publish(channel, "JW-960001", "legacy.retry");
    Handling consumer = new Handling(channel, 2, (ch, envelope, order) -> {
      if (envelope.isRedeliver()) {
        ch.basicAck(envelope.getDeliveryTag(), false);
        System.out.println("requeued " + order + " acked");
      } else {
        ch.basicNack(envelope.getDeliveryTag(), false, true);
      }
    });
    channel.basicConsume("legacy.retry", false, consumer);
    consumer.await("the requeued order");
    settle();
    channel.close();
  }

  /**
   * A consumer with manual acknowledgement throws before acknowledging: the client closes its channel,
   * the broker delivers the message again, another consumer acknowledges it. Never lost.
   */
  void redelivered() throws Exception {
    Channel failing = fresh("legacy.redeliver", null);
    publish(failing, "JW-970001", "legacy.redeliver");
    CountDownLatch closed = new CountDownLatch(1);
    failing.addShutdownListener(cause -> closed.countDown());
    Handling thrower = new Handling(failing, 1, (ch, envelope, order) -> {
      throw new IllegalStateException("cannot map order " + order);
    });
    failing.basicConsume("legacy.redeliver", false, thrower);
    thrower.await("the failing delivery");
    if (!closed.await(20, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the client did not close the failing consumer's channel");
    }
    Channel second = connection.createChannel();
    Handling acking = new Handling(second, 1, (ch, envelope, order) -> {
      ch.basicAck(envelope.getDeliveryTag(), false);
      System.out.println("redelivered " + order + " acked, redeliver=" + envelope.isRedeliver());
    });
    second.basicConsume("legacy.redeliver", false, acking);
    acking.await("the redelivery");
    settle();
    second.close();
  }

  /** A consumer with auto-ack throws: the broker forgot the message as it sent it. Lost. */
  void autoAckFailed() throws Exception {
    Channel channel = fresh("legacy.autoack", null);
    publish(channel, "JW-980001", "legacy.autoack");
    Handling consumer = new Handling(channel, 1, (ch, envelope, order) -> {
      throw new IllegalStateException("cannot map order " + order);
    });
    channel.basicConsume("legacy.autoack", true, consumer);
    consumer.await("the auto-acked order");
    settle();
  }

  /** A consumer acknowledges, then throws: lost. */
  void ackedThenFailed() throws Exception {
    Channel channel = fresh("legacy.acked-first", null);
    publish(channel, "JW-990001", "legacy.acked-first");
    Handling consumer = new Handling(channel, 1, (ch, envelope, order) -> {
      ch.basicAck(envelope.getDeliveryTag(), false);
      throw new IllegalStateException("cannot store order " + order);
    });
    channel.basicConsume("legacy.acked-first", false, consumer);
    consumer.await("the acknowledged order");
    settle();
  }

  /**
   * Published to an exchange that does not exist: {@code basicPublish} returns, then the broker closes
   * the channel with 404. The order published just before, to a queue that exists, arrived.
   */
  void missingExchange() throws Exception {
    Channel channel = fresh("legacy.sink", null);
    publish(channel, "JW-9A0000", "legacy.sink");
    publish(channel, "JW-9A0001", "legacy.nowhere", "order.confirmed", false, null);
    awaitClosed(channel, "NOT_FOUND");
    settle();
    System.out.println("sink holds " + connection.createChannel().messageCount("legacy.sink"));
  }

  /** Published to an internal exchange, which refuses publishers: 403. */
  void internalExchange() throws Exception {
    Channel channel = connection.createChannel();
    channel.exchangeDeclare("legacy.internal", "fanout", false, false, true, null);
    publish(channel, "JW-9B0001", "legacy.internal", "", false, null);
    awaitClosed(channel, "ACCESS_REFUSED");
  }

  /** Published with a user id that is not the connection's: 406, with no exchange named in the reply. */
  void foreignUserId() throws Exception {
    Channel channel = fresh("legacy.audited", null);
    publish(channel, "JW-9C0001", "", "legacy.audited", false, new AMQP.BasicProperties.Builder().userId("nobody").build());
    awaitClosed(channel, "PRECONDITION_FAILED");
  }

  /**
   * Four threads publish on one shared channel at once (the client writes their frames one at a time);
   * partway through, one publishes to an exchange that does not exist. The broker closes the channel
   * with 404 and discards whatever followed on the wire. Prints every order whose {@code basicPublish}
   * returned, then every order the queue holds: the rest are the refused and the discarded.
   */
  void sharedChannel() throws Exception {
    Channel channel = fresh("legacy.shared", null);
    List<String> published = java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      Thread publisher = new Thread(() -> {
        try {
          start.await();
          for (int n = 0; n < 40; n++) {
            String order = String.format("JW-9F%d%03d", thread, n);
            if (thread == 0 && n == 20) {
              publish(channel, order, "legacy.shared-nowhere", "order.confirmed", false, null);
            } else {
              publish(channel, order, "legacy.shared");
            }
            published.add(order);
          }
        } catch (Exception e) {
          // the channel closed under this thread: its later orders were never sent
        }
      });
      publisher.start();
      threads.add(publisher);
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join(20_000);
    }
    awaitClosed(channel, "NOT_FOUND");
    settle();
    Channel reading = connection.createChannel();
    List<String> held = new ArrayList<>();
    for (com.rabbitmq.client.GetResponse r = reading.basicGet("legacy.shared", true); r != null;
        r = reading.basicGet("legacy.shared", true)) {
      held.add(orderOf(r.getBody()));
    }
    System.out.println("shared published " + String.join(",", published));
    System.out.println("shared holds " + String.join(",", held));
  }

  private static void awaitClosed(Channel channel, String expected) throws InterruptedException {
    for (int i = 0; i < 200 && channel.isOpen(); i++) {
      Thread.sleep(50);
    }
    ShutdownSignalException reason = channel.getCloseReason();
    if (reason == null || !String.valueOf(reason.getReason()).contains(expected)) {
      throw new IllegalStateException("expected the broker to close the channel with " + expected + ", got " + reason);
    }
    System.out.println("closed by the broker: " + expected);
  }

  /** Published with confirms to a full queue that refuses publishes: nacked. */
  void nacked() throws Exception {
    Channel channel = fresh("legacy.full", Map.of("x-max-length", 0, "x-overflow", "reject-publish"));
    channel.confirmSelect();
    publish(channel, "JW-9D0001", "legacy.full");
    System.out.println("confirmed " + channel.waitForConfirms(10_000));
    channel.close();
  }

  /** Published mandatory through the default exchange to a queue that does not exist: returned. */
  void returned() throws Exception {
    Channel channel = connection.createChannel();
    channel.queueDelete("legacy.no-such-queue");
    CountDownLatch returned = new CountDownLatch(1);
    channel.addReturnListener(r -> returned.countDown());
    publish(channel, "JW-9E0001", "", "legacy.no-such-queue", true, null);
    System.out.println("returned " + returned.await(20, TimeUnit.SECONDS));
    channel.close();
  }

  /**
   * Queues on which the broker discards messages by itself: one whose messages expire, one that drops
   * its oldest when full; and one of each kind with a dead-letter exchange, which parks them.
   */
  void discarding() throws Exception {
    deadLetterExchange().close();
    Channel channel = fresh("legacy.expiring", Map.of("x-message-ttl", 100));
    publish(channel, "JW-9F0001", "legacy.expiring");
    fresh("legacy.capped", Map.of("x-max-length", 1)).close();
    publish(channel, "JW-9F0002", "legacy.capped");
    publish(channel, "JW-9F0003", "legacy.capped");
    fresh("legacy.expiring-parked", Map.of("x-message-ttl", 100, "x-dead-letter-exchange", "legacy.dlx")).close();
    fresh("legacy.capped-parked", Map.of("x-max-length", 1, "x-dead-letter-exchange", "legacy.dlx")).close();
    Thread.sleep(1500);
    System.out.println("expiring left " + channel.messageCount("legacy.expiring") + ", capped left "
        + channel.messageCount("legacy.capped"));
    channel.close();
  }
}
