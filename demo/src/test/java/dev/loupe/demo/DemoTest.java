package dev.loupe.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.LoadGenerator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DemoTest {

  @Test
  void aShortDemoRunsEveryServiceUnderTheAgentCompletesItsOrdersAndSaysSo() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
    DemoOptions options = DemoOptions.parse("--duration", "4s", "--drain", "30s", "--private-services");

    LoadGenerator.Summary summary =
        new Demo(options, Path.of(System.getProperty("loupe.repository", "..")), out).run();

    String printed = captured.toString(StandardCharsets.UTF_8);
    assertThat(summary.placed()).isGreaterThanOrEqualTo(6);
    assertThat(summary.completed()).isEqualTo(summary.placed());
    assertThat(printed).contains("Summary: placed " + summary.placed() + ", completed " + summary.placed())
        .contains("Demo finished; everything it started is stopped.");
    // the agent, not the apps, measured the requests: the shop took every order, MES served the orders page
    assertThat(measured(printed, "shop-api")).isGreaterThanOrEqualTo(summary.placed());
    assertThat(measured(printed, "mes-api")).isGreaterThanOrEqualTo(summary.pageViews());
    // the Loupe extension rode along: the MES log names each order's id beside its trace
    Path mesLog = Path.of(System.getProperty("loupe.repository", "..")).resolve("demo/target/run/logs/mes-api.log");
    assertThat(java.nio.file.Files.readAllLines(mesLog))
        .anyMatch(line -> line.matches(".*\"order_id\":\"JW-\\d{6}\".*") && line.contains("\"trace_id\""));
  }

  @Test
  void optionsAreReadAndBadOnesExplained() {
    DemoOptions o = DemoOptions.parse("--rate", "3", "--duration", "1m", "--fault", "crm-unroutable",
        "--fault", "mes-consumer-slow", "--calculation", "500ms");
    assertThat(o.rate()).isEqualTo(3);
    assertThat(o.duration()).isEqualTo(Duration.ofMinutes(1));
    assertThat(o.calculation()).isEqualTo(Duration.ofMillis(500));
    assertThat(o.faults()).containsExactly(Fault.CRM_UNROUTABLE, Fault.MES_CONSUMER_SLOW);

    assertThatThrownBy(() -> DemoOptions.parse("--fault", "broker-down"))
        .hasMessageContaining("unknown fault 'broker-down'").hasMessageContaining("crm-unroutable");
    assertThatThrownBy(() -> DemoOptions.parse("--rate", "0")).hasMessageContaining("--rate must be above 0");
    assertThatThrownBy(() -> DemoOptions.parse("--duration", "0s")).hasMessageContaining("must be positive");
    assertThatThrownBy(() -> DemoOptions.parse("--duration")).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> DemoOptions.parse("--turbo")).hasMessageContaining("unknown option --turbo");
  }

  @Test
  void requestCountsIncludeRoutesWithPathVariables() {
    String exposition = """
        # TYPE http_server_request_duration_seconds histogram
        http_server_request_duration_seconds_count{http_request_method="GET",http_route="/api/orders/{orderId}"} 12
        http_server_request_duration_seconds_count{http_request_method="POST",http_route="/api/orders"} 5
        http_server_request_duration_seconds_sum{http_request_method="POST",http_route="/api/orders"} 0.3
        """;
    assertThat(AgentMetrics.count(exposition)).isEqualTo(17);
  }

  private static long measured(String printed, String service) {
    Matcher m = Pattern.compile(service + "\\s+agent measured (\\d+) HTTP server requests").matcher(printed);
    assertThat(m.find()).as("the demo reports what the agent measured in " + service).isTrue();
    return Long.parseLong(m.group(1));
  }
}
