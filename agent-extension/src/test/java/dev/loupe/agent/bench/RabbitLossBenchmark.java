package dev.loupe.agent.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.impl.AMQCommand;
import com.rabbitmq.client.impl.ChannelN;
import io.opentelemetry.context.Context;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * What a healthy message costs in the RabbitMQ loss sentinels, before and after a change: the calls
 * the advice makes for one publish, one confirmed publish, one delivery with manual acknowledgement and
 * one auto-acked delivery, made directly on real client channels (with a frame handler that goes
 * nowhere) — the client's own work and the agent's spans are not in it, so what is measured is only what
 * the extension adds. Prints nanoseconds and bytes allocated per message, less the harness's own
 * (a loop that makes the same envelopes and sequence numbers and calls nothing), and, for scale, what
 * the client's own {@code basicPublish} costs on the same channel.
 *
 * <p>"Before" is the sentinels' source at the git revision {@code loupe.bench.before} (default
 * {@code HEAD}), compiled into a class loader of its own with a driver written for its entry points;
 * "after" is the working tree's. Not part of {@code mvn verify}:
 *
 * <pre>
 * mvn -B verify -pl agent-extension -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=RabbitLossBenchmark -Dloupe.bench.before=ef750ee~1
 * </pre>
 *
 * {@code loupe.bench.seconds} sets the measured time per case (default 3; as long again to warm up);
 * {@code loupe.bench.rounds} how many times every case is measured (default 1), the versions taking
 * turns, each figure then printed as the median with the lowest and highest. Time per message is at
 * the mercy of a shared machine; bytes allocated per message are not, and are the firmer evidence.
 */
public class RabbitLossBenchmark {

  /** One message's calls into the sentinels, as the advice makes them. */
  public interface Sentinels {
    /** Once, before measuring: whatever the channels' consumers need announced. */
    void subscribe(ChannelN manual, ChannelN auto, DefaultConsumer manualConsumer, DefaultConsumer autoConsumer);

    /**
     * {@code basicPublish} to {@code exchange} with {@code routingKey} on {@code channel}, whose frames
     * the client writes as {@code command} (a {@code basic.publish} to the same).
     */
    void publish(ChannelN channel, AMQCommand command, String exchange, String routingKey);

    /** Once, before measuring: {@code confirmSelect} on {@code confirming}, as far as this version sees it. */
    default void selectConfirms(ChannelN confirming) {}

    /** {@code handleDelivery} of {@code consumer}, then (manual acknowledgement) {@code basicAck}. */
    void deliver(ChannelN channel, DefaultConsumer consumer, Envelope envelope, boolean ack);
  }

  /** The harness alone. */
  static final class Nothing implements Sentinels {
    @Override
    public void subscribe(ChannelN manual, ChannelN auto, DefaultConsumer m, DefaultConsumer a) {}

    @Override
    public void publish(ChannelN channel, AMQCommand command, String exchange, String routingKey) {}

    @Override
    public void deliver(ChannelN channel, DefaultConsumer consumer, Envelope envelope, boolean ack) {}
  }

  /** The working tree's entry points. */
  static final class After implements Sentinels {
    @Override
    public void subscribe(ChannelN manual, ChannelN auto, DefaultConsumer m, DefaultConsumer a) {
      subscribe(manual, "orders.manual", false, m.getConsumerTag());
      subscribe(auto, "orders.auto", true, a.getConsumerTag());
    }

    private static void subscribe(ChannelN channel, String queue, boolean autoAck, String tag) {
      Object subscribing = dev.loupe.agent.loss.rabbit.RabbitLoss.subscribing(channel, queue, autoAck, tag);
      dev.loupe.agent.loss.rabbit.RabbitLoss.consumeOk(channel, tag);
      dev.loupe.agent.loss.rabbit.RabbitLoss.subscribed(subscribing, tag, null);
    }

    @Override
    public void publish(ChannelN channel, AMQCommand command, String exchange, String routingKey) {
      dev.loupe.agent.loss.rabbit.RabbitLoss.publishing(channel, false);
      Object publish = dev.loupe.agent.loss.rabbit.RabbitLoss.transmitting(channel, command);
      dev.loupe.agent.loss.rabbit.RabbitLoss.transmitted(publish, null);
    }

    @Override
    public void selectConfirms(ChannelN confirming) {
      // the confirm.select command's frames being written: the ledger numbers publishes from here on
      dev.loupe.agent.loss.rabbit.RabbitLoss.transmitting(confirming,
          new AMQCommand(new AMQP.Confirm.Select.Builder().build()));
    }

    @Override
    public void deliver(ChannelN channel, DefaultConsumer consumer, Envelope envelope, boolean ack) {
      if (dev.loupe.agent.loss.rabbit.RabbitLoss.delivering(consumer, consumer.getConsumerTag(), envelope)) {
        dev.loupe.agent.loss.rabbit.RabbitLoss.delivered(null);
      }
      if (ack) {
        dev.loupe.agent.loss.rabbit.RabbitLoss.settled(channel, envelope.getDeliveryTag(), false, false, true, null);
      }
    }
  }

  /** The driver for the sentinels as they were before issue 15, compiled with their source. */
  private static final String BEFORE_DRIVER = """
      package dev.loupe.agent.loss.rabbit;

      import com.rabbitmq.client.DefaultConsumer;
      import com.rabbitmq.client.Envelope;
      import com.rabbitmq.client.impl.AMQCommand;
      import com.rabbitmq.client.impl.ChannelN;

      public final class BeforeDriver implements dev.loupe.agent.bench.RabbitLossBenchmark.Sentinels {
        public void subscribe(ChannelN manual, ChannelN auto, DefaultConsumer m, DefaultConsumer a) {}

        public void publish(ChannelN channel, AMQCommand command, String exchange, String routingKey) {
          RabbitLoss.publishing(channel, false);
          RabbitLoss.sending(channel, exchange);
        }

        public void deliver(ChannelN channel, DefaultConsumer consumer, Envelope envelope, boolean ack) {
          RabbitLoss.delivering(envelope.getExchange());
          RabbitLoss.consumerFailed(null);
          RabbitLoss.delivered();
        }
      }
      """;

  private static final byte[] BODY = "{\"orderId\":\"JW-000042\",\"itemId\":7,\"basePriceCents\":129900}"
      .getBytes(StandardCharsets.UTF_8);

  /** Fresh channels; {@code tags} numbers their deliveries and publishes on, as a channel does. */
  private record Channels(ChannelN plain, ChannelN confirming, ChannelN manual, ChannelN auto,
      DefaultConsumer manualConsumer, DefaultConsumer autoConsumer, Field sequence, long[] tags, AMQCommand command) {}

  @Test
  void healthyMessages() throws Exception {
    long millis = Long.getLong("loupe.bench.seconds", 3) * 1000;
    int rounds = Integer.getInteger("loupe.bench.rounds", 1);
    List<Sentinels> versions = new ArrayList<>();
    List<String> names = new ArrayList<>();
    Sentinels before = before(System.getProperty("loupe.bench.before", "HEAD"));
    if (before != null) {
      versions.add(before);
      names.add("before (" + System.getProperty("loupe.bench.before", "HEAD") + ")");
    }
    versions.add(new After());
    names.add("after (working tree)");
    List<String> scenarios = List.of("publish", "publish, confirmed", "delivery, manual ack", "delivery, auto-ack");
    // [scenario][version][round] = {ns, bytes}, less the harness measured just before in the same round
    double[][][][] costs = new double[scenarios.size()][versions.size()][rounds][];
    double[][] client = new double[rounds][];
    for (int r = 0; r < rounds; r++) {
      double[] own = measure(new Nothing(), "the client's own basicPublish", millis);
      double[] loop = measure(new Nothing(), "publish", millis);
      client[r] = new double[] {own[0] - loop[0], own[1] - loop[1]};
      for (int s = 0; s < scenarios.size(); s++) {
        double[] harness = measure(new Nothing(), scenarios.get(s), millis);
        // the versions take turns, first one and then the other, so that a slow spell of a shared machine
        // does not fall on one version only
        for (int i = 0; i < versions.size(); i++) {
          int v = (i + r) % versions.size();
          double[] cost = measure(versions.get(v), scenarios.get(s), millis);
          costs[s][v][r] = new double[] {cost[0] - harness[0], cost[1] - harness[1]};
        }
      }
    }
    System.out.printf("[rabbit-loss] per message, less the harness; %d ms measured per case after as long warming up; "
        + "%d rounds: median [lowest, highest]%n", millis, rounds);
    System.out.println("| version | case | ns per message | bytes allocated per message |");
    System.out.println("|---|---|---|---|");
    System.out.printf(Locale.ROOT, "| (for scale) the client alone | its own basicPublish, frames going nowhere | %s | %s |%n",
        spread(client, 0), spread(client, 1));
    for (int s = 0; s < scenarios.size(); s++) {
      for (int v = 0; v < versions.size(); v++) {
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n", names.get(v), scenarios.get(s),
            spread(costs[s][v], 0), spread(costs[s][v], 1));
      }
    }
  }

  /** The median of {@code values[*][i]}, with the lowest and highest when there is more than one. */
  private static String spread(double[][] values, int i) {
    double[] sorted = java.util.Arrays.stream(values).mapToDouble(v -> v[i]).sorted().toArray();
    int n = sorted.length;
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return n == 1 ? String.format(Locale.ROOT, "%.0f", median)
        : String.format(Locale.ROOT, "%.0f [%.0f, %.0f]", median, sorted[0], sorted[n - 1]);
  }

  /** {nanoseconds, bytes allocated} per message for {@code scenario}, on fresh channels. */
  private static double[] measure(Sentinels sentinels, String scenario, long millis) throws Exception {
    Channels c = channels();
    sentinels.subscribe(c.manual(), c.auto(), c.manualConsumer(), c.autoConsumer());
    sentinels.selectConfirms(c.confirming());
    run(sentinels, c, scenario, millis); // warm-up
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long allocatedBefore = threads.getThreadAllocatedBytes(thread);
    long start = System.nanoTime();
    long messages = run(sentinels, c, scenario, millis);
    long nanos = System.nanoTime() - start;
    long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
    return new double[] {(double) nanos / messages, (double) allocated / messages};
  }

  private static long run(Sentinels s, Channels c, String scenario, long millis) throws Exception {
    long deadline = System.nanoTime() + millis * 1_000_000;
    long messages = 0;
    long tag = c.tags()[0];
    ConfirmListener confirms = null;
    boolean lookedForConfirms = false;
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < 1000; i++) {
        tag++;
        switch (scenario) {
          case "publish" -> s.publish(c.plain(), c.command(), "jewelry.orders", "order.confirmed");
          case "the client's own basicPublish" -> c.plain().basicPublish("jewelry.orders", "order.confirmed", null, BODY);
          case "publish, confirmed" -> {
            c.sequence().setLong(c.confirming(), tag);
            s.publish(c.confirming(), c.command(), "jewelry.orders", "order.confirmed");
            if (!lookedForConfirms) { // once: a reflective look-up would cost more than what is measured
              confirms = confirmListener(c.confirming());
              lookedForConfirms = true;
            }
            if (confirms != null) {
              confirms.handleAck(tag, false);
            }
          }
          case "delivery, manual ack" -> s.deliver(c.manual(), c.manualConsumer(), envelope(tag), true);
          default -> s.deliver(c.auto(), c.autoConsumer(), envelope(tag), false);
        }
      }
      messages += 1000;
    }
    c.tags()[0] = tag;
    return messages;
  }

  /**
   * The envelope of delivery {@code tag}, made to escape: were the JIT to scalar-replace it in one loop
   * (the harness's, which calls nothing) and not in another, the difference would pass for the
   * sentinels' allocation.
   */
  private static Envelope envelope(long tag) {
    Envelope e = new Envelope(tag, false, "jewelry.orders", "order.confirmed");
    escaped = e;
    return e;
  }

  @SuppressWarnings("unused") // written only, so that what is put here is really allocated
  private static Object escaped;

  /** The sentinels' confirm listener on {@code channel}, once they registered one. */
  private static ConfirmListener confirmListener(ChannelN channel) throws Exception {
    Field f = ChannelN.class.getDeclaredField("confirmListeners");
    f.setAccessible(true);
    for (Object l : (java.util.Collection<?>) f.get(channel)) {
      return (ConfirmListener) l;
    }
    return null;
  }

  /** Client channels on a connection whose frames go nowhere. */
  private static Channels channels() throws Exception {
    ChannelN[] channels = dev.loupe.agent.harness.NowhereChannels.open(4);
    Field sequence = ChannelN.class.getDeclaredField("nextPublishSeqNo");
    sequence.setAccessible(true);
    DefaultConsumer manual = new DefaultConsumer(channels[2]);
    manual.handleConsumeOk("manual-" + System.identityHashCode(channels[2]));
    DefaultConsumer auto = new DefaultConsumer(channels[3]);
    auto.handleConsumeOk("auto-" + System.identityHashCode(channels[3]));
    AMQCommand command = new AMQCommand(
        new AMQP.Basic.Publish.Builder().exchange("jewelry.orders").routingKey("order.confirmed").build());
    return new Channels(channels[0], channels[1], channels[2], channels[3], manual, auto, sequence, new long[1], command);
  }

  /**
   * The sentinels at git revision {@code revision}, compiled with {@link #BEFORE_DRIVER} into a class
   * loader that takes them before the working tree's; null if that cannot be done (no git, another API).
   */
  private static Sentinels before(String revision) {
    try {
      Path repo = dev.loupe.agent.harness.AgentStack.repository();
      Path dir = Files.createTempDirectory("rabbit-loss-before");
      Path sources = Files.createDirectories(dir.resolve("src/dev/loupe/agent/loss/rabbit"));
      String file = "agent-extension/src/main/java/dev/loupe/agent/loss/rabbit/RabbitLoss.java";
      Process git = new ProcessBuilder("git", "-C", repo.toString(), "show", revision + ":" + file).start();
      ByteArrayOutputStream source = new ByteArrayOutputStream();
      git.getInputStream().transferTo(source);
      if (git.waitFor() != 0) {
        System.out.println("[rabbit-loss] no " + file + " at " + revision + "; measuring the working tree only");
        return null;
      }
      Files.write(sources.resolve("RabbitLoss.java"), source.toByteArray());
      Files.writeString(sources.resolve("BeforeDriver.java"), BEFORE_DRIVER, StandardCharsets.UTF_8);
      Path classes = Files.createDirectories(dir.resolve("classes"));
      String classpath = String.join(java.io.File.pathSeparator, location(RabbitLossBenchmark.class),
          location(dev.loupe.agent.Guard.class), location(ChannelN.class), location(Context.class),
          location(io.opentelemetry.api.trace.Span.class), location(org.slf4j.Logger.class));
      int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
          "-cp", classpath, sources.resolve("RabbitLoss.java").toString(), sources.resolve("BeforeDriver.java").toString());
      if (compiled != 0) {
        System.out.println("[rabbit-loss] the sentinels at " + revision + " do not compile with this harness");
        return null;
      }
      ClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, RabbitLossBenchmark.class.getClassLoader()) {
        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
          if (name.startsWith("dev.loupe.agent.loss.rabbit.")) {
            synchronized (getClassLoadingLock(name)) {
              Class<?> c = findLoadedClass(name);
              return c != null ? c : findClass(name);
            }
          }
          return super.loadClass(name, resolve);
        }
      };
      Sentinels driver = (Sentinels) loader.loadClass("dev.loupe.agent.loss.rabbit.BeforeDriver")
          .getDeclaredConstructor().newInstance();
      assertThat(driver.getClass().getClassLoader()).isSameAs(loader);
      return driver;
    } catch (Exception e) {
      System.out.println("[rabbit-loss] cannot build the sentinels at " + revision + ": " + e);
      return null;
    }
  }

  private static String location(Class<?> c) throws Exception {
    URI uri = c.getProtectionDomain().getCodeSource().getLocation().toURI();
    return Path.of(uri).toString();
  }
}
