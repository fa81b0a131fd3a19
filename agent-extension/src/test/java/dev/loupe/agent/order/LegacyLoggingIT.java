package dev.loupe.agent.order;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.LoggingFiles;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.agent.harness.OtlpReceiver.ExportedLog;
import dev.loupe.agent.harness.OtlpReceiver.ExportedSpan;
import dev.loupe.agent.order.legacy.Engravings;
import dev.loupe.sample.stack.Eventually;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The order id in every log line of a small legacy service ({@link Engravings}: the JDK's HTTP server,
 * SLF4J) under the real agent and the built extension, run twice: over Logback and over Log4j2, each
 * writing every line through a synchronous and an asynchronous appender. The order is found a different
 * way in each request (path, query, header, a method argument read from the body, a return value) and
 * work is handed to an executor. Each line the application writes about an order must carry that order's
 * {@code order_id}; each record the agent exports, to OTLP and to the console, its {@code order.id}; an id
 * found late must reach the request's server span; and an ERROR logged without its exception in a request
 * that still answered 200 is a swallowed exception.
 */
class LegacyLoggingIT {

  private static final Duration WAIT = Duration.ofSeconds(60);
  /** What the line is about, as the service writes it, and its order_id as the pattern writes it. */
  private static final Pattern LINE = Pattern.compile("^([^|]*)\\|([^|]*)\\|\\[(JW-\\d+)\\] (.*)$");
  private static final List<String> MESSAGES = List.of("engraving looked up by path", "engraving drawn on a worker thread",
      "engraving looked up by query", "engraving status asked by header", "reserving gold for the engraving",
      "reservation failed: no gold left", "answering the reservation", "engraving order opened");

  private static OtlpReceiver receiver;
  private static Run logback;
  private static Run log4j;

  /** One run of the service: its name, the first of its order numbers, where it wrote. */
  private record Run(String service, int base, Path work, String output) {
    String id(int n) {
      return "JW-" + (base + n);
    }

    Path file(String name) {
      return work.resolve(name);
    }
  }

  @BeforeAll
  static void runTheServiceOverBothLoggingLibraries() throws Exception {
    receiver = new OtlpReceiver();
    Path work = AgentStack.repository().resolve("agent-extension/target/legacy-logging-" + ProcessHandle.current().pid());
    Files.createDirectories(work);
    CompletableFuture<Run> overLogback = CompletableFuture.supplyAsync(() -> run("engravings-logback", 710_000,
        work.resolve("logback"), List.of("slf4j-api", "logback-classic", "logback-core")));
    CompletableFuture<Run> overLog4j = CompletableFuture.supplyAsync(() -> run("engravings-log4j2", 720_000,
        work.resolve("log4j2"), List.of("slf4j-api", "log4j-api", "log4j-core", "log4j-slf4j2-impl")));
    logback = overLogback.join();
    log4j = overLog4j.join();
  }

  @AfterAll
  static void stop() {
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  void everyLogbackLineAboutAnOrderCarriesItsOrderIdThroughSyncAndAsyncAppenders() throws Exception {
    assertEveryLineCarriesItsOrder(logback, "sync.log");
    assertEveryLineCarriesItsOrder(logback, "async.log");
  }

  @Test
  void everyLog4j2LineAboutAnOrderCarriesItsOrderIdThroughSyncAndAsyncAppenders() throws Exception {
    assertEveryLineCarriesItsOrder(log4j, "sync.log");
    assertEveryLineCarriesItsOrder(log4j, "async.log");
  }

  @Test
  void everyExportedRecordAboutAnOrderCarriesItsOrderIdOnOtlpAndOnTheConsole() throws Exception {
    for (Run run : List.of(logback, log4j)) {
      List<ExportedLog> records = Eventually.await(run.service() + "'s records of every order", WAIT, () -> {
        List<ExportedLog> about = receiver.logs().stream()
            .filter(l -> l.service().equals(run.service()) && l.body().startsWith("[JW-")).toList();
        return about.size() >= MESSAGES.size() ? Optional.of(about) : Optional.empty();
      });
      for (ExportedLog record : records) {
        assertThat(record.orderId()).as(run.service() + " record '" + record.body() + "'").isEqualTo(orderOf(record.body()));
      }
      // the console exporter writes each record with its attributes, as the OTLP one sends them
      List<String> console = run.output().lines().filter(l -> l.contains("'[JW-")).toList();
      assertThat(console).as(run.service() + " records on the console").hasSizeGreaterThanOrEqualTo(MESSAGES.size());
      for (String line : console) {
        String id = orderOf(line.substring(line.indexOf("'[") + 1));
        assertThat(line).as(run.service() + " console record").contains("order.id=\"" + id + "\"");
      }
    }
  }

  @Test
  void anIdFoundLateInARequestReachesItsServerSpan() throws Exception {
    for (Run run : List.of(logback, log4j)) {
      // the body's id, through the argument of reserve(), and the id returned by nextOrderId()
      for (String path : List.of("/engravings", "/engraving-orders")) {
        ExportedSpan server = Eventually.await(run.service() + " server span of POST " + path, WAIT, () -> receiver.spans()
            .stream().filter(s -> s.service().equals(run.service()) && s.kind().equals("SPAN_KIND_SERVER")
                && "POST".equals(s.attributes().get("http.request.method")) && path.equals(s.attributes().get("url.path")))
            .findFirst());
        assertThat(server.orderId()).as(run.service() + " POST " + path).isEqualTo(run.id(path.equals("/engravings") ? 4 : 5));
      }
      for (int n = 1; n <= 3; n++) {
        String id = run.id(n);
        assertThat(receiver.spans()).as(run.service() + " server span of " + id)
            .anyMatch(s -> s.service().equals(run.service()) && s.kind().equals("SPAN_KIND_SERVER") && id.equals(s.orderId()));
      }
    }
  }

  @Test
  void anErrorLoggedWithoutItsExceptionInARequestThatAnswered200IsASwallowedException() throws Exception {
    for (Run run : List.of(logback, log4j)) {
      String id = run.id(4);
      ExportedSpan server = Eventually.await(run.service() + " server span of the reservation", WAIT, () -> receiver.spans()
          .stream().filter(s -> s.service().equals(run.service()) && s.kind().equals("SPAN_KIND_SERVER")
              && id.equals(s.orderId())).findFirst());
      assertThat(server.attributes()).containsEntry("loupe.loss.reason", "swallowed_exception")
          .containsEntry("http.response.status_code", "200");
      ExportedLog record = Eventually.await(run.service() + " loss record", WAIT, () -> receiver.logs().stream()
          .filter(l -> l.service().equals(run.service()) && "swallowed_exception".equals(l.attributes().get("loupe.loss.reason")))
          .findFirst());
      assertThat(record.orderId()).isEqualTo(id);
      assertThat(record.body()).contains("Order " + id + " may be lost (swallowed_exception)")
          .endsWith("which answered 200 after logging an error without its exception");
      // requests that logged no ERROR are not marked
      assertThat(receiver.spans()).filteredOn(s -> s.service().equals(run.service())
          && s.attributes().containsKey("loupe.loss.reason")).hasSize(1);
    }
  }

  private static void assertEveryLineCarriesItsOrder(Run run, String file) throws Exception {
    List<String> lines = Files.readAllLines(run.file(file));
    Map<String, String> seen = new LinkedHashMap<>();
    List<String> wrong = new ArrayList<>();
    for (String line : lines) {
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      seen.put(m.group(4), m.group(1));
      if (!m.group(1).equals(m.group(3))) {
        wrong.add(line);
      }
      assertThat(m.group(2)).as("trace_id on " + line).matches("[0-9a-f]{32}");
    }
    assertThat(wrong).as(run.service() + " " + file + " lines whose order_id is not their order's").isEmpty();
    assertThat(seen.keySet()).as(run.service() + " " + file + ": every request's lines").containsAll(MESSAGES);
  }

  private static String orderOf(String text) {
    Matcher m = Pattern.compile("^'?\\[(JW-\\d+)\\]").matcher(text);
    return m.find() ? m.group(1) : null;
  }

  private static Run run(String service, int base, Path work, List<String> logging) {
    try {
      Files.createDirectories(work);
      List<String> logConfig = LoggingFiles.write(work, "%X{order_id}|%X{trace_id}");
      Path repo = AgentStack.repository();
      List<String> classpath = new ArrayList<>();
      classpath.add(Path.of(Engravings.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
      for (String jar : logging) {
        classpath.add(repo.resolve("agent-extension/target/logging/" + jar + ".jar").toString());
      }
      String legacy = Engravings.class.getName();
      Path output = work.resolve("output.log");
      List<String> options = new ArrayList<>(List.of("-Dotel.service.name=" + service,
          "-Dotel.traces.exporter=otlp", "-Dotel.logs.exporter=otlp,console", "-Dotel.metrics.exporter=none",
          "-Dloupe.order-id.path-templates=/engravings/{orderId}",
          "-Dloupe.order-id.methods=" + legacy + "#reserve:arg0.orderId," + legacy + "#nextOrderId:return"));
      options.addAll(logConfig);
      Process process = new ProcessBuilder(AgentStack.legacyService(receiver.endpoint(), classpath, options,
          legacy, Integer.toString(base + 5)))
          .redirectErrorStream(true).redirectOutput(output.toFile()).start();
      try {
        return drive(service, base, work, output, process);
      } finally {
        if (process.isAlive()) {
          process.destroyForcibly();
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(service + " did not run", e);
    }
  }

  /** Sends one request of each kind, stops the service and waits for it to end. */
  private static Run drive(String service, int base, Path work, Path output, Process process) throws Exception {
    int port = Eventually.await(service + " to start (" + output + ")", Duration.ofSeconds(180), () -> {
      Matcher m = Pattern.compile("(?m)^PORT (\\d+)$").matcher(read(output));
      return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    });
    Run run = new Run(service, base, work, "");
    URI uri = URI.create("http://127.0.0.1:" + port);
    HttpClient http = HttpClient.newHttpClient();
    send(http, HttpRequest.newBuilder(uri.resolve("/engravings/" + run.id(1))).GET(), 200);
    send(http, HttpRequest.newBuilder(uri.resolve("/engravings?orderId=" + run.id(2))).GET(), 200);
    send(http, HttpRequest.newBuilder(uri.resolve("/engraving-status")).header("X-Order-Id", run.id(3)).GET(), 200);
    send(http, HttpRequest.newBuilder(uri.resolve("/engravings"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"orderId\":\"" + run.id(4) + "\",\"text\":\"For ever\"}")), 200);
    send(http, HttpRequest.newBuilder(uri.resolve("/engraving-orders")).POST(HttpRequest.BodyPublishers.noBody()), 201);
    send(http, HttpRequest.newBuilder(uri.resolve("/stop")).POST(HttpRequest.BodyPublishers.noBody()), 200);
    boolean ended = process.waitFor(120, TimeUnit.SECONDS);
    assertThat(ended).as(service + " ended; its output is in " + output).isTrue();
    return new Run(service, base, work, read(output));
  }

  private static void send(HttpClient http, HttpRequest.Builder request, int expected) throws Exception {
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.uri() + " answered " + response.body()).isEqualTo(expected);
  }

  private static String read(Path file) throws Exception {
    return Files.exists(file) ? Files.readString(file) : "";
  }
}
