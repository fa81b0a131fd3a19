package dev.loupe.terraform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.drills.OtlpSink;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent on today's VMs, for real: modules/agent-systemd renders each service's drop-in from
 * agent-extension/config/ (terraform plan of {@code src/test/terraform/drop-in}); {@code systemd-analyze verify}
 * reads it beside a unit; then the unchanged Shop, CRM and MES JVMs are started with exactly the environment
 * the drop-in gives (no other agent flag), an order goes through, and its spans reach an OTLP receiver from
 * all three services carrying the order id that only the Loupe extension puts there.
 */
class SystemdDropInIT {

  private static final Path AGENT = Terraform.REPOSITORY.resolve("agent-extension/target/agent/opentelemetry-javaagent.jar");
  private static final Path EXTENSION = Terraform.REPOSITORY.resolve("agent-extension/target/loupe-agent-extension.jar");
  private static final Path WORK = Terraform.ROOT.resolve("target/drop-in-" + ProcessHandle.current().pid());

  private static Path binary;
  private static OtlpSink sink;
  private static Map<Service, String> dropIns;

  @BeforeAll
  static void render() throws IOException {
    binary = Terraform.binary().orElse(null);
    assumeTrue(binary != null, Terraform.NO_BINARY);
    assertThat(AGENT).as("the agent jar (copied by agent-extension's build)").isRegularFile();
    assertThat(EXTENSION).as("the extension jar (built by agent-extension)").isRegularFile();
    sink = new OtlpSink();
    Path settingsDir = WORK.resolve("etc-loupe");
    JsonNode outputs = Terraform.withoutProviders(binary).outputs(Terraform.ROOT.resolve("src/test/terraform/drop-in"),
        "drop-in", Map.of("agent_jar", AGENT.toString(), "extension_jar", EXTENSION.toString(),
            "settings_dir", settingsDir.toString(), "otlp_endpoint", sink.httpEndpoint().toString()));
    dropIns = new EnumMap<>(Service.class);
    for (Service service : Service.values()) {
      dropIns.put(service, outputs.get("drop_ins").get(service.id()).asText());
      // as the VM's configuration tool would: the service's settings file, unchanged
      Terraform.write(settingsDir.resolve(service.id() + ".properties"), outputs.get("settings_files").get(service.id()).asText());
    }
  }

  @Test
  void systemdReadsEveryDropInWithoutAComplaint() throws IOException {
    Optional<Path> analyze = Terraform.binary("systemd-analyze");
    assumeTrue(analyze.isPresent(), "systemd-analyze is not installed (package systemd): the drop-ins' syntax is not checked");
    for (Service service : Service.values()) {
      Path units = WORK.resolve("units-" + service.id());
      Terraform.write(units.resolve(service.id() + ".service"), "[Unit]\nDescription=" + service.id()
          + "\n[Service]\nExecStart=/usr/bin/java -jar /opt/jewelry/" + service.id() + ".jar\n");
      Path dropIn = units.resolve(service.id() + ".service.d/loupe-agent.conf");

      // first a drop-in with a mistake: verify must name it, or it is not reading drop-ins here at all
      Terraform.write(dropIn, dropIns.get(service) + "NoSuchSetting=1\n");
      Terraform.Result wrong = verify(analyze.get(), units, service);
      assertThat(wrong.output()).as("systemd-analyze verify reads the drop-in beside the unit")
          .contains("loupe-agent.conf").contains("NoSuchSetting");

      Terraform.write(dropIn, dropIns.get(service));
      Terraform.Result right = verify(analyze.get(), units, service);
      assertThat(right.exit()).as(right.output()).isZero();
      assertThat(right.output()).as("what systemd says about " + service.id() + "'s drop-in").doesNotContain("loupe-agent.conf");
    }
  }

  private static Terraform.Result verify(Path analyze, Path units, Service service) {
    // SYSTEMD_UNIT_PATH with a trailing colon: this directory first, then systemd's own
    return Terraform.exec(units, List.of(analyze.toString(), "verify", "--man=no", service.id() + ".service"),
        Map.of("SYSTEMD_UNIT_PATH", units + ":"), 120);
  }

  @Test
  void theUnchangedServicesRunTheAgentAndTheExtensionFromTheDropInAlone() throws Exception {
    Map<Service, Map<String, String>> environment = new EnumMap<>(Service.class);
    dropIns.forEach((service, text) -> environment.put(service, environmentOf(text)));
    Map<String, String> shop = environment.get(Service.SHOP);
    assertThat(shop.get("JAVA_TOOL_OPTIONS")).isEqualTo("-javaagent:" + AGENT + " -Dotel.javaagent.extensions=" + EXTENSION
        + " -Dotel.javaagent.configuration-file=" + WORK.resolve("etc-loupe/shop-api.properties"));
    assertThat(shop.get("OTEL_RESOURCE_ATTRIBUTES")).isEqualTo("service.namespace=jewelry,deployment.environment.name=drop-in-test");

    try (Stack stack = Stack.builder(Terraform.REPOSITORY)
        .workDir(WORK.resolve("stack"))
        .calculation(Duration.ofMillis(200))
        .historyOrders(200)
        .progress(line -> System.out.println("[stack] " + line))
        .environment(environment::get)
        .start()) {
      for (Service service : Service.values()) {
        // the JVM says so on its first line when it takes its options from the environment
        assertThat(Files.readString(stack.log(service))).as(service.id() + "'s log")
            .contains("Picked up JAVA_TOOL_OPTIONS: -javaagent:" + AGENT);
      }
      PipelineClient client = stack.client();
      PipelineClient.Placement order = client.placeOrder(OrderRequest.typical());
      assertThat(order.accepted()).as("the shop took the order: " + order.body()).isTrue();

      // order.id on the spans is the extension's work (agent-extension/config/<service>.properties says where
      // each service finds it); service.name is the settings file's
      long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
      List<String> missing = List.of();
      while (System.nanoTime() < deadline) {
        missing = new ArrayList<>();
        for (Service service : Service.values()) {
          boolean seen = sink.spans().stream().anyMatch(s -> s.service().equals(service.id())
              && order.orderId().equals(s.attributes().get("order.id")));
          if (!seen) {
            missing.add(service.id());
          }
        }
        if (missing.isEmpty()) {
          break;
        }
        Thread.sleep(1000);
      }
      assertThat(missing).as("services without a span of order " + order.orderId() + " (spans received: "
          + sink.spans().size() + ")").isEmpty();
      assertThat(sink.raw()).as("the environment's name from the drop-in, in the exported resource")
          .anyMatch(bytes -> new String(bytes, StandardCharsets.ISO_8859_1).contains("drop-in-test"));
    } finally {
      sink.close();
    }
  }

  /**
   * The variables a drop-in's {@code Environment=} lines set, as systemd reads them (systemd.exec(5)): each
   * line a list of {@code NAME=value} words, a word in double quotes may hold spaces, a backslash escapes the
   * next character. {@code EnvironmentFile=} lines are not read (the test's drop-ins have none).
   */
  static Map<String, String> environmentOf(String dropIn) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : dropIn.split("\n")) {
      if (!line.startsWith("Environment=")) {
        continue;
      }
      for (String word : words(line.substring("Environment=".length()))) {
        int eq = word.indexOf('=');
        env.put(word.substring(0, eq), word.substring(eq + 1));
      }
    }
    return env;
  }

  private static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == '\\' && i + 1 < text.length()) {
          word.append(text.charAt(++i));
        } else if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else {
        if (word == null) {
          word = new StringBuilder();
        }
        if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '\\' && i + 1 < text.length()) {
          word.append(text.charAt(++i));
        } else {
          word.append(c);
        }
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }
}
