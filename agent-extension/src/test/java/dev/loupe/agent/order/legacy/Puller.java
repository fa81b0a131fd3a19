package dev.loupe.agent.order.legacy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small legacy worker with no OpenTelemetry code: it pulls order messages with {@code basicGet} (one
 * queue for manual acknowledgement, one with auto-ack), logs while handling each and after settling it.
 * Each line starts with {@code expect=ID}, the order it is about ({@code expect=} for none), read from
 * the message body's {@code expect} field, so a test can hold the line's {@code order_id} to it.
 *
 * <p>Handling a message that names an order passes it on: the worker publishes a note about it to a
 * third queue (the next stage), as legacy workers do, so the agent makes a span for that work.
 *
 * <p>Arguments: the broker's port, the manual-ack queue, the auto-ack queue, the next stage's queue.
 */
public final class Puller {

  private static final Logger log = LoggerFactory.getLogger(Puller.class);
  private static String next;
  private static final Pattern EXPECT = Pattern.compile("\"expect\"\\s*:\\s*\"([^\"]*)\"");

  private Puller() {}

  public static void main(String[] args) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost("127.0.0.1");
    factory.setPort(Integer.parseInt(args[0]));
    next = args[3];
    try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
      log.info("expect= worker started");
      manual(channel, args[1]);
      automatic(channel, args[2]);
      log.info("expect= worker done");
    }
    System.out.println("ALL DONE");
  }

  /** Pulls with manual acknowledgement, settling each message after handling it. */
  private static void manual(Channel channel, String queue) throws Exception {
    for (GetResponse r = channel.basicGet(queue, false); r != null; r = channel.basicGet(queue, false)) {
      String expect = expectOf(r);
      long tag = r.getEnvelope().getDeliveryTag();
      log.info("expect={} pulled delivery {}", expect, tag);
      handle(channel, expect);
      if (expect.endsWith("9")) {
        // a message the worker cannot take yet: it pulls the next one and settles both at once
        GetResponse next = channel.basicGet(queue, false);
        String nextExpect = expectOf(next);
        log.info("expect={} pulled delivery {} while {} waits", nextExpect, next.getEnvelope().getDeliveryTag(), tag);
        channel.basicNack(next.getEnvelope().getDeliveryTag(), true, false);
        log.info("expect= nacked deliveries up to {}", next.getEnvelope().getDeliveryTag());
      } else if (expect.endsWith("3")) {
        channel.basicReject(tag, false);
        log.info("expect= rejected delivery {}", tag);
      } else {
        Thread helper = new Thread(() -> log.info("expect= another thread, handed the message without context"));
        helper.start();
        helper.join();
        channel.basicAck(tag, false);
        log.info("expect= acknowledged delivery {}", tag);
      }
    }
    log.info("expect= {} drained", queue);
  }

  /** Pulls with auto-ack: the broker forgets each message as it hands it over. */
  private static void automatic(Channel channel, String queue) throws Exception {
    for (GetResponse r = channel.basicGet(queue, true); r != null; r = channel.basicGet(queue, true)) {
      String expect = expectOf(r);
      log.info("expect={} pulled with auto-ack", expect);
      handle(channel, expect);
    }
    log.info("expect= {} drained", queue);
  }

  private static void handle(Channel channel, String expect) throws Exception {
    log.info("expect={} reserving the stones", expect);
    if (!expect.isEmpty()) {
      log.warn("expect={} engraving queue is long", expect);
      channel.basicPublish("", next, null, ("{\"expect\":\"" + expect + "\"}").getBytes(StandardCharsets.UTF_8));
    }
  }

  private static String expectOf(GetResponse response) {
    Matcher m = EXPECT.matcher(new String(response.getBody(), StandardCharsets.UTF_8));
    return m.find() ? m.group(1) : "?";
  }
}
