package dev.loupe.agent.order;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.LoggingFiles;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.agent.harness.OtlpReceiver.ExportedSpan;
import dev.loupe.agent.order.legacy.Puller;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Rabbit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The order id in the log lines of a worker that pulls messages with {@code basicGet}: a small legacy
 * service ({@link Puller}: amqp-client, SLF4J) runs twice, over Logback and over Log4j2, each writing
 * through a synchronous and an asynchronous appender, under the real agent and the built extension
 * against a private RabbitMQ node. The messages name their orders the two ways the extension reads a
 * pulled message: the baggage header a publisher under the agent writes, and a JSON field of the body. Every line says which order it is
 * about; each must carry exactly that {@code order_id}, and the lines written after a message is settled
 * (or pulled without one) must carry none. A pulled message the worker rejects or nacks away is reported
 * lost with the order it named.
 */
class PulledMessageLoggingIT {

  private static final String MANUAL = "pulled.manual";
  private static final String AUTO = "pulled.auto";
  private static final String NEXT = "pulled.next";
  private static final Pattern EXPECT = Pattern.compile("^expect=(\\S*) ");
  private static final Pattern LOSS = Pattern.compile("^Order (\\S+) may be lost ");
  /** Every order whose message the worker handled, and so passed on to the next stage. */
  private static final List<String> HANDLED =
      List.of("JW-840001", "JW-840003", "JW-840004", "JW-840009", "JW-850001", "JW-850004");
  private static final Map<String, List<String>> passedOn = new ConcurrentHashMap<>();
  private static final Pattern LINE = Pattern.compile("^([^|]*)\\|expect=(\\S*) (.*)$");
  private static Rabbit rabbit;
  private static OtlpReceiver receiver;
  private static Path work;

  @BeforeAll
  static void runTheWorkers() throws Exception {
    work = AgentStack.repository().resolve("agent-extension/target/pulled-" + ProcessHandle.current().pid());
    Files.createDirectories(work);
    rabbit = Rabbit.startPrivate(work.resolve("rabbitmq"));
    receiver = new OtlpReceiver();
    CompletableFuture<Void> logback = CompletableFuture.runAsync(() -> run("logback",
        List.of("slf4j-api", "logback-classic", "logback-core")));
    CompletableFuture<Void> log4j = CompletableFuture.runAsync(() -> run("log4j",
        List.of("slf4j-api", "log4j-api", "log4j-core", "log4j-slf4j2-impl")));
    CompletableFuture.allOf(logback, log4j).join();
  }

  /** Fills the worker's queues and runs it to the end over {@code logging}; its logs are in {@code work/name}. */
  private static void run(String name, List<String> logging) {
    try {
      Path dir = work.resolve(name);
      Files.createDirectories(dir);
      try (Connection connection = rabbit.connect(); Channel channel = connection.createChannel()) {
        channel.queueDeclare(MANUAL + "." + name, false, false, false, null);
        channel.queueDeclare(AUTO + "." + name, false, false, false, null);
        channel.queueDeclare(NEXT + "." + name, false, false, false, null);
        inHeader(channel, MANUAL + "." + name, "JW-850001");
        inBody(channel, MANUAL + "." + name, "JW-840001");
        withoutOrder(channel, MANUAL + "." + name);
        inBody(channel, MANUAL + "." + name, "JW-840003");
        inBody(channel, MANUAL + "." + name, "JW-840009");
        inHeader(channel, MANUAL + "." + name, "JW-850002");
        inHeader(channel, AUTO + "." + name, "JW-850004");
        inBody(channel, AUTO + "." + name, "JW-840004");
        withoutOrder(channel, AUTO + "." + name);
      }
      List<String> logConfig = LoggingFiles.write(dir, "%X{order_id}");
      Path repo = AgentStack.repository();
      List<String> classpath = new ArrayList<>();
      classpath.add(Path.of(Puller.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
      classpath.add(Path.of(Channel.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
      for (String jar : logging) {
        classpath.add(repo.resolve("agent-extension/target/logging/" + jar + ".jar").toString());
      }
      Path output = dir.resolve("output.log");
      List<String> options = new ArrayList<>(List.of("-Dotel.service.name=pulling-worker-" + name,
          "-Dotel.traces.exporter=otlp", "-Dotel.logs.exporter=otlp", "-Dotel.metrics.exporter=none",
          "-Dloupe.order-id.amqp-body-fields=orderId"));
      options.addAll(logConfig);
      Process process = new ProcessBuilder(AgentStack.legacyService(receiver.endpoint(), classpath, options,
          Puller.class.getName(), Integer.toString(rabbit.port()), MANUAL + "." + name, AUTO + "." + name,
          NEXT + "." + name))
          .redirectErrorStream(true).redirectOutput(output.toFile()).start();
      boolean ended = process.waitFor(120, TimeUnit.SECONDS);
      if (!ended) {
        process.destroyForcibly();
      }
      assertThat(ended).as("the worker ended; its output is in " + output).isTrue();
      assertThat(Files.readString(output)).as(output.toString()).contains("ALL DONE");
      // the baggage of what the worker passed on to the next stage
      List<String> baggage = new ArrayList<>();
      try (Connection connection = rabbit.connect(); Channel channel = connection.createChannel()) {
        for (GetResponse r = channel.basicGet(NEXT + "." + name, true); r != null;
            r = channel.basicGet(NEXT + "." + name, true)) {
          Object header = r.getProps().getHeaders() == null ? null : r.getProps().getHeaders().get("baggage");
          baggage.add(new String(r.getBody(), StandardCharsets.UTF_8) + " " + header);
        }
      }
      passedOn.put(name, baggage);
    } catch (Exception e) {
      throw new IllegalStateException("the " + name + " worker did not run", e);
    }
  }

  @AfterAll
  static void stop() {
    if (receiver != null) {
      receiver.close();
    }
    if (rabbit != null) {
      rabbit.close();
    }
  }

  @Test
  void everyLineWrittenWhileAPulledMessageIsInHandCarriesItsOrderAndNoOtherLineDoes() throws Exception {
    for (String file : List.of("logback/sync.log", "logback/async.log", "log4j/sync.log", "log4j/async.log")) {
      List<String> lines = Files.readAllLines(work.resolve(file));
      assertThat(lines).as(file).isNotEmpty();
      List<String[]> parsed = new ArrayList<>();
      for (String line : lines) {
        Matcher m = LINE.matcher(line);
        assertThat(m.matches()).as(file + ": " + line).isTrue();
        parsed.add(new String[] {m.group(1), m.group(2), m.group(3)});
      }
      assertThat(parsed).as(file).allSatisfy(l -> assertThat(l[0]).as(file + ": " + String.join("|", l)).isEqualTo(l[1]));
      // the lines that name an order are there, one way of finding it each, both ways of pulling
      for (String id : List.of("JW-850001", "JW-840001", "JW-840003", "JW-840009", "JW-850004", "JW-840004")) {
        assertThat(parsed).as(file + " " + id)
            .filteredOn(l -> l[0].equals(id) && l[2].equals("reserving the stones")).hasSize(1);
      }
      assertThat(parsed).filteredOn(l -> l[0].equals("JW-850002") && l[2].endsWith("while 5 waits")).hasSize(1);
      // and the lines after settling, after handing off, and after an empty pull, which name none
      assertThat(parsed).filteredOn(l -> l[2].startsWith("acknowledged delivery")).hasSize(3);
      assertThat(parsed).filteredOn(l -> l[2].startsWith("rejected delivery")).hasSize(1);
      assertThat(parsed).filteredOn(l -> l[2].startsWith("nacked deliveries up to")).hasSize(1);
      assertThat(parsed).filteredOn(l -> l[2].startsWith("another thread")).hasSize(3);
      assertThat(parsed).filteredOn(l -> l[2].startsWith(AUTO + ".") && l[2].endsWith(" drained")).hasSize(1);
      assertThat(parsed).filteredOn(l -> l[0].isEmpty()).hasSizeGreaterThanOrEqualTo(12);
    }
  }

  @Test
  void aPulledMessageRejectedOrNackedAwayIsReportedLostWithItsOrder() throws Exception {
    // pulled.manual has no dead-letter exchange: the reject and the multiple nack without requeue lose them
    for (String name : List.of("logback", "log4j")) {
      List<String> lost = Eventually.await("the loss spans of the three messages settled away", Duration.ofSeconds(30),
          () -> Optional.of(receiver.spans().stream()
              .filter(s -> s.service().equals("pulling-worker-" + name) && s.name().equals(MANUAL + "." + name + " rejected"))
              .map(ExportedSpan::orderId).sorted().toList()).filter(ids -> ids.size() >= 3));
      assertThat(lost).as(name).containsExactly("JW-840003", "JW-840009", "JW-850002");
    }
  }

  @Test
  void everyRecordExportedWhileAPulledMessageIsInHandCarriesItsOrderAndNoOtherRecordDoes() throws Exception {
    for (String name : List.of("logback", "log4j")) {
      String service = "pulling-worker-" + name;
      List<OtlpReceiver.ExportedLog> records = Eventually.await("the worker's log records", Duration.ofSeconds(30),
          () -> Optional.of(receiver.logs().stream().filter(l -> l.service().equals(service)).toList())
              .filter(l -> l.stream().anyMatch(r -> r.body().contains("worker done"))));
      assertThat(records).as(name).hasSizeGreaterThanOrEqualTo(30);
      for (OtlpReceiver.ExportedLog record : records) {
        Matcher lost = LOSS.matcher(record.body());
        if (lost.find()) {
          // Loupe's own record of a message rejected away names the order it lost
          assertThat(record.orderId()).as(name + ": " + record.body()).isEqualTo(lost.group(1));
          continue;
        }
        Matcher m = EXPECT.matcher(record.body());
        assertThat(m.find()).as(name + ": " + record.body()).isTrue();
        String expected = m.group(1).isEmpty() ? null : m.group(1);
        assertThat(record.orderId()).as(name + ": " + record.body()).isEqualTo(expected);
      }
    }
  }

  @Test
  void theWorkDoneOnAPulledMessageCarriesItsOrderAndPassesItOn() throws Exception {
    for (String name : List.of("logback", "log4j")) {
      String service = "pulling-worker-" + name;
      List<OtlpReceiver.ExportedSpan> publishes = Eventually.await("the worker's publishes to the next stage",
          Duration.ofSeconds(30), () -> Optional.of(receiver.spans().stream()
              .filter(sp -> sp.service().equals(service) && sp.kind().equals("SPAN_KIND_PRODUCER")
                  && (NEXT + "." + name).equals(sp.attributes().get("messaging.rabbitmq.destination.routing_key")))
              .toList()).filter(l -> l.size() >= HANDLED.size()));
      assertThat(publishes).as(name).extracting(OtlpReceiver.ExportedSpan::orderId)
          .containsExactlyInAnyOrderElementsOf(HANDLED);
      // downstream, the next stage finds the order in the baggage the agent wrote, as for a pushed message
      assertThat(passedOn.get(name)).as(name).containsExactlyInAnyOrderElementsOf(
          HANDLED.stream().map(id -> "{\"expect\":\"" + id + "\"} order.id=" + id).toList());
    }
  }

  private static void inHeader(Channel channel, String queue, String id) throws Exception {
    // what the agent writes into the headers of a message published in an order's context
    AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
        .headers(Map.of("baggage", "order.id=" + id)).build();
    channel.basicPublish("", queue, properties, ("{\"expect\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private static void inBody(Channel channel, String queue, String id) throws Exception {
    channel.basicPublish("", queue, null,
        ("{\"orderId\":\"" + id + "\",\"expect\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private static void withoutOrder(Channel channel, String queue) throws Exception {
    channel.basicPublish("", queue, null, "{\"expect\":\"\"}".getBytes(StandardCharsets.UTF_8));
  }
}
