package dev.loupe.sample.stack;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A RabbitMQ broker for the stack: a private node with its own data, logs, Erlang port mapper and
 * ports, or the machine's own on 5672. A private one can be stopped and started again.
 */
public final class Rabbit implements AutoCloseable {

  private static final Path SBIN = Path.of(System.getenv().getOrDefault("RABBITMQ_SBIN", "/usr/lib/rabbitmq/bin"));

  private final int port;
  private final int metricsPort;
  private final Path dir;
  private final Map<String, String> env;
  private ManagedProcess node;

  private Rabbit(int port, int metricsPort, Path dir, Map<String, String> env) {
    this.port = port;
    this.metricsPort = metricsPort;
    this.dir = dir;
    this.env = env;
  }

  /** The machine's RabbitMQ on 127.0.0.1:5672 with guest/guest, if it answers. */
  public static Optional<Rabbit> local() {
    Rabbit local = new Rabbit(5672, 15692, null, Map.of());
    try (Connection c = local.connect()) {
      return Optional.of(local);
    } catch (IOException | TimeoutException e) {
      return Optional.empty();
    }
  }

  /**
   * A fresh node in {@code dir} (created) on free loopback ports. A port found free can be taken by
   * another process before the node binds it (the node then stops itself while starting, e.g. its
   * Prometheus plugin failing with {@code bad_return}); such a node is started again on other ports
   * with empty data, three attempts in all.
   *
   * @throws IllegalStateException without {@code rabbitmq-server}, or when the third attempt fails too
   */
  public static Rabbit startPrivate(Path dir) {
    if (!Files.isExecutable(SBIN.resolve("rabbitmq-server"))) {
      throw new IllegalStateException("no rabbitmq-server in " + SBIN + "; install the rabbitmq-server package"
          + " or set RABBITMQ_SBIN to the directory holding rabbitmq-server and rabbitmqctl");
    }
    for (int attempt = 1; ; attempt++) {
      Rabbit rabbit = configure(dir);
      try {
        rabbit.start();
        return rabbit;
      } catch (Waits.Exited e) {
        if (attempt == 3) {
          throw e;
        }
        System.err.println("[stack] RabbitMQ on port " + rabbit.port + " exited while starting (attempt "
            + attempt + " of 3); starting it again on other ports");
        deleteData(dir);
      }
    }
  }

  private static Rabbit configure(Path dir) {
    int port = Waits.freePort();
    int metricsPort = Waits.freePort();
    try {
      Files.createDirectories(dir.resolve("mnesia"));
      Files.createDirectories(dir.resolve("log"));
      Files.writeString(dir.resolve("rabbitmq.conf"), String.join("\n",
          "listeners.tcp.default = 127.0.0.1:" + port,
          "loopback_users = none",
          "prometheus.tcp.ip = 127.0.0.1",
          "prometheus.tcp.port = " + metricsPort,
          "log.console = true",
          "log.file = false",
          ""));
      // the broker's own metrics (queues, consumers, unroutable and dead-lettered messages)
      Files.writeString(dir.resolve("enabled_plugins"), "[rabbitmq_prometheus].\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> env = new HashMap<>();
    env.put("HOME", dir.toString());
    env.put("RABBITMQ_NODENAME", "loupe-" + port + "@localhost");
    env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
    env.put("RABBITMQ_NODE_PORT", Integer.toString(port));
    env.put("RABBITMQ_DIST_PORT", Integer.toString(Waits.freePort()));
    env.put("ERL_EPMD_ADDRESS", "127.0.0.1");
    env.put("ERL_EPMD_PORT", Integer.toString(Waits.freePort()));
    env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
    env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
    env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
    env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
    env.put("RABBITMQ_PID_FILE", dir.resolve("rabbitmq.pid").toString());
    return new Rabbit(port, metricsPort, dir, env);
  }

  /** Empties a failed fresh node's data so the next attempt starts as new; its output file stays. */
  private static void deleteData(Path dir) {
    try (Stream<Path> files = Files.walk(dir.resolve("mnesia"))) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a private node (again, after {@link #stop()}) and waits until it takes connections. */
  public void start() {
    requirePrivate();
    // in its own directory: a node that crashes writes its dumps (MnesiaCore.*, erl_crash.dump) there
    node = ManagedProcess.start("rabbitmq", List.of(SBIN.resolve("rabbitmq-server").toString()), env,
        dir.resolve("rabbitmq.out"), dir);
    Waits.until("RabbitMQ on port " + port, Duration.ofSeconds(90), node, () -> {
      try (Connection c = connect()) {
        return true;
      } catch (IOException | TimeoutException e) {
        return false;
      }
    });
  }

  /** Stops a private node: every connection to it drops, as in a broker outage. */
  public void stop() {
    requirePrivate();
    try {
      ManagedProcess.run("rabbitmqctl stop", List.of(SBIN.resolve("rabbitmqctl").toString(), "-n",
          env.get("RABBITMQ_NODENAME"), "stop"), env, Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      node.stop(Duration.ofSeconds(5));
    }
    node.stop(Duration.ofSeconds(20));
    Waits.until("RabbitMQ on port " + port + " to stop", Duration.ofSeconds(30), null,
        () -> !Waits.listening("127.0.0.1", port));
  }

  public boolean isPrivate() {
    return dir != null;
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  /**
   * The port of the broker's Prometheus endpoint ({@code /metrics}, {@code /metrics/per-object}): a
   * private node's own, or 15692 for the machine's, where it answers only if the rabbitmq_prometheus
   * plugin is enabled there.
   */
  public int metricsPort() {
    return metricsPort;
  }

  public Connection connect() throws IOException, TimeoutException {
    ConnectionFactory f = new ConnectionFactory();
    f.setHost(host());
    f.setPort(port);
    f.setUsername("guest");
    f.setPassword("guest");
    f.setConnectionTimeout(2000);
    f.setAutomaticRecoveryEnabled(false);
    return f.newConnection("loupe-stack");
  }

  /** Messages ready in a queue; -1 if the queue does not exist. */
  public int messageCount(String queue) {
    try (Connection c = connect(); Channel ch = c.createChannel()) {
      return ch.queueDeclarePassive(queue).getMessageCount();
    } catch (IOException e) {
      return -1;
    } catch (TimeoutException e) {
      throw new IllegalStateException("RabbitMQ did not answer", e);
    }
  }

  /** Sets a policy on a private node, e.g. a length limit that makes the broker refuse publishes. */
  public void policy(String name, String queuePattern, String definitionJson) {
    requirePrivate();
    ManagedProcess.run("rabbitmqctl set_policy", List.of(SBIN.resolve("rabbitmqctl").toString(), "-n",
        env.get("RABBITMQ_NODENAME"), "set_policy", "--apply-to", "queues", name, queuePattern, definitionJson),
        env, Duration.ofSeconds(30));
  }

  /** Removes a policy set with {@link #policy}. */
  public void clearPolicy(String name) {
    requirePrivate();
    ManagedProcess.run("rabbitmqctl clear_policy", List.of(SBIN.resolve("rabbitmqctl").toString(), "-n",
        env.get("RABBITMQ_NODENAME"), "clear_policy", name), env, Duration.ofSeconds(30));
  }

  /** Deletes queues left by an earlier run, so a new run starts empty. */
  public void deleteQueues(String... queues) {
    try (Connection c = connect(); Channel ch = c.createChannel()) {
      for (String q : queues) {
        ch.queueDelete(q);
      }
    } catch (IOException | TimeoutException e) {
      throw new IllegalStateException("could not delete queues on RabbitMQ port " + port + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (!isPrivate() || node == null) {
      return;
    }
    if (node.alive()) {
      stop();
    }
    try {
      ManagedProcess.run("epmd -kill", List.of("epmd", "-port", env.get("ERL_EPMD_PORT"), "-kill"), env,
          Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      // no port mapper left running: nothing to clean up
    }
  }

  private void requirePrivate() {
    if (!isPrivate()) {
      throw new IllegalStateException("the machine's own RabbitMQ is not started or stopped by the stack");
    }
  }
}
