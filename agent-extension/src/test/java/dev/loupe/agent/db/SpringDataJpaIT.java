package dev.loupe.agent.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.db.catalogue.Catalogue;
import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.agent.harness.OtlpReceiver.ExportedPoint;
import dev.loupe.agent.harness.OtlpReceiver.ExportedSpan;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Postgres;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The N+1 finder and redaction on a Spring Boot service that reads through Spring Data JPA and Hibernate
 * ({@link Catalogue}), under the real agent with its default instrumentation and the built extension, no
 * {@code loupe.*} setting, against a private PostgreSQL. The agent nests each JDBC span under a Spring
 * Data repository span and a Hibernate span, and on the second page the lookups run on an executor's
 * thread: the statements still count for the request.
 */
class SpringDataJpaIT {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String SERVICE = "catalogue";
  private static final String METALS = "order by m1_0.name";
  private static Postgres postgres;
  private static OtlpReceiver receiver;
  private static Process app;
  private static Path log;
  private static URI base;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startTheCatalogue() throws Exception {
    Path repo = AgentStack.repository();
    Path work = repo.resolve("agent-extension/target/spring-data-jpa-" + ProcessHandle.current().pid());
    Files.createDirectories(work);
    postgres = Postgres.startPrivate(work.resolve("postgres"));
    postgres.recreateDatabase("catalogue");
    receiver = new OtlpReceiver();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    base = URI.create("http://127.0.0.1:" + port);
    log = work.resolve("catalogue.log");
    app = new ProcessBuilder(AgentStack.legacyService(receiver.endpoint(), applicationClasspath(), List.of(
        "-Dotel.service.name=" + SERVICE, "-Dotel.traces.exporter=otlp", "-Dotel.logs.exporter=otlp",
        "-Dotel.metrics.exporter=otlp", "-Dotel.metric.export.interval=1000"), Catalogue.class.getName(),
        "--server.address=127.0.0.1", "--server.port=" + port,
        "--spring.datasource.url=" + postgres.jdbcUrl("catalogue"), "--spring.datasource.username=" + postgres.user(),
        "--spring.jpa.hibernate.ddl-auto=create"))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Eventually.await("the catalogue to start (its output is in " + log + ")", Duration.ofSeconds(180), () -> {
      if (!app.isAlive()) {
        throw new AssertionError("the catalogue ended: " + Files.readString(log));
      }
      return Optional.of(Files.readString(log)).filter(out -> out.contains("CATALOGUE READY") && out.contains("Started"));
    });
  }

  /**
   * The test classpath without the agent's API and SDK and the extension itself — the application has no
   * OpenTelemetry code, as the sample apps have none — and without what the extension compiles against
   * (Byte Buddy with a plain ASM, which Hibernate's own Byte Buddy must not meet) or the tests' silent
   * SLF4J binding, so the application logs through Logback as Spring Boot does.
   */
  private static List<String> applicationClasspath() {
    String all = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> kept = new ArrayList<>();
    for (String entry : all.split(File.pathSeparator)) {
      String e = entry.replace(File.separatorChar, '/');
      if (!e.contains("/io/opentelemetry/") && !e.endsWith("agent-extension/target/classes") && !e.contains("/slf4j-nop/")
          && !e.contains("/byte-buddy-dep/") && !e.contains("/org/ow2/asm/")) {
        kept.add(entry);
      }
    }
    return kept;
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.destroy();
      app.waitFor();
    }
    if (receiver != null) {
      receiver.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  private static int get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static ExportedSpan server(String route) throws Exception {
    return Eventually.await("the server span of " + route, WAIT, () -> receiver.spans().stream()
        .filter(s -> s.service().equals(SERVICE) && s.kind().equals("SPAN_KIND_SERVER")
            && route.equals(s.attributes().get("http.route")))
        .reduce((a, b) -> b));
  }

  private static List<ExportedSpan> trace(ExportedSpan span) throws Exception {
    // the server span is exported last, as it ends last: all of its trace is there
    return receiver.spans().stream().filter(s -> s.traceId().equals(span.traceId())).collect(Collectors.toList());
  }

  @Test
  void statementsUnderRepositoryAndHibernateSpansAreCountedForTheRequest() throws Exception {
    assertThat(get("/api/designs")).isEqualTo(200);
    ExportedSpan page = server("/api/designs");
    // seven designs, the metals looked up once for each
    assertThat(page.attributes()).containsEntry("loupe.db.repeated_statements", "7");

    List<ExportedSpan> trace = trace(page);
    Map<String, ExportedSpan> byId = trace.stream().collect(Collectors.toMap(ExportedSpan::spanId, Function.identity()));
    List<ExportedSpan> lookups = trace.stream().filter(s -> s.kind().equals("SPAN_KIND_CLIENT")
        && String.valueOf(s.attributes().get("db.statement")).contains(METALS)).collect(Collectors.toList());
    assertThat(lookups).hasSize(7);
    // none of them is the server span's child: each is under the repository's span (and Hibernate's)
    for (ExportedSpan lookup : lookups) {
      List<String> ancestors = new ArrayList<>();
      for (ExportedSpan s = byId.get(parentOf(lookup)); s != null && s != page; s = byId.get(parentOf(s))) {
        ancestors.add(s.name());
      }
      assertThat(ancestors).as("the spans between the statement and the request").isNotEmpty()
          .anyMatch(n -> n.startsWith("MetalRepository."));
    }

    ExportedPoint counted = Eventually.await("loupe.db.repeated_statements for /api/designs", WAIT, () ->
        receiver.points().stream().filter(p -> p.metric().equals("loupe.db.repeated_statements")
            && "/api/designs".equals(p.attributes().get("http.route"))).reduce((a, b) -> b));
    assertThat(counted.value()).isEqualTo(6);
  }

  @Test
  void statementsOnAThreadTheRequestHandedTheLookupsToAreCountedForIt() throws Exception {
    assertThat(get("/api/designs/prepared")).isEqualTo(200);
    ExportedSpan page = server("/api/designs/prepared");
    assertThat(page.attributes()).containsEntry("loupe.db.repeated_statements", "7");
    List<ExportedSpan> lookups = trace(page).stream().filter(s -> s.kind().equals("SPAN_KIND_CLIENT")
        && String.valueOf(s.attributes().get("db.statement")).contains(METALS)).collect(Collectors.toList());
    assertThat(lookups).hasSize(7).allSatisfy(s ->
        assertThat(s.attributes().get("thread.name")).isNotEqualTo(page.attributes().get("thread.name")));
  }

  @Test
  void aRequestThatRunsEachStatementOnceIsNotMarked() throws Exception {
    assertThat(get("/api/designs/3")).isEqualTo(200);
    assertThat(server("/api/designs/{id}").attributes()).doesNotContainKey("loupe.db.repeated_statements");
  }

  @Test
  void placeholderStatementsAndFrameworkLinesPassRedactionUnchanged() throws Exception {
    HttpResponse<Void> put = http.send(HttpRequest.newBuilder(base.resolve("/api/customers/1"))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"firstName\":\"Ottilie\",\"lastName\":\"Vanderbrook\","
            + "\"address\":\"17 Hatton Garden\",\"city\":\"London\",\"telephone\":\"+44 20 7946 0731\"}"))
        .build(), HttpResponse.BodyHandlers.discarding());
    assertThat(put.statusCode()).isEqualTo(200);
    ExportedSpan update = Eventually.await("the customer's update statement", WAIT, () -> receiver.spans().stream()
        .filter(s -> String.valueOf(s.attributes().get("db.statement")).startsWith("update customers")).findFirst());
    assertThat(update.attributes().get("db.statement"))
        .isEqualTo("update customers set address=?,city=?,first_name=?,last_name=?,telephone=? where id=?");

    Eventually.await("Hibernate's start-up line, exported as it was logged", WAIT, () -> receiver.logs().stream()
        .filter(l -> l.service().equals(SERVICE) && l.body().equals("HHH000204: Processing PersistenceUnitInfo [name: default]"))
        .findFirst());
    assertThat(receiver.logs()).noneMatch(l -> l.body().contains("[REDACTED:"));
  }

  @Test
  void theEndUsersAddressIsHiddenAndTheDatabasesIsKept() throws Exception {
    assertThat(get("/api/designs/1")).isEqualTo(200);
    ExportedSpan request = server("/api/designs/{id}");
    assertThat(request.attributes()).containsEntry("client.address", "[REDACTED:value]")
        .containsEntry("network.peer.address", "[REDACTED:value]");
    ExportedSpan statement = trace(request).stream().filter(s -> s.kind().equals("SPAN_KIND_CLIENT")).findFirst()
        .orElseThrow();
    assertThat(statement.attributes()).containsEntry("server.address", "127.0.0.1")
        .containsEntry("server.port", Integer.toString(postgres.port()));
  }

  private static String parentOf(ExportedSpan span) {
    return span.parentSpanId();
  }
}
