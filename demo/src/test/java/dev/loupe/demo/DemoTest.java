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

  /**
   * A demo in which MES rejects every order message: each order is lost, the load generator knows which,
   * and Loupe must have named every one of them (reason, where, destination), paged on-call within a
   * minute of the first loss, and said where to look next.
   */
  @Test
  void aDemoWithLostOrdersPutsWhatLoupeSawBesideTheTruth() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
    DemoOptions options = DemoOptions.parse("--duration", "6s", "--drain", "20s", "--private-services", "--fault",
        "mes-consumer-reject");

    LoadGenerator.Summary summary =
        new Demo(options, Path.of(System.getProperty("loupe.repository", "..")), out).run();

    String printed = captured.toString(StandardCharsets.UTF_8);
    System.out.println(printed);
    assertThat(summary.placed()).isGreaterThanOrEqualTo(6);
    assertThat(summary.inFlight()).as("every order lost").isEqualTo(summary.placed());
    assertThat(printed).contains("What happened (the load generator's truth): " + summary.placed() + " orders placed")
        .contains("Demo finished; everything it started is stopped.");
    // the agent, not the apps, measured the requests: the shop took every order
    assertThat(measured(printed, "shop-api")).isGreaterThanOrEqualTo(summary.placed());

    Matcher page = Pattern.compile("OrderMessageRejected on mes-api \\(failure point 5\\) (-?\\d+) s after the first loss")
        .matcher(printed);
    assertThat(page.find()).as("the page on-call received, with its delay").isTrue();
    assertThat(Integer.parseInt(page.group(1))).as("seconds from the first loss to the page").isBetween(0, 60);
    assertThat(printed).contains("loupe_messages_lost_total{service=mes-api, reason=rejected, destination=mes.order-intake}");

    // the Loupe extension rode along: the MES log names each order's id beside its trace
    Path mesLog = Path.of(System.getProperty("loupe.repository", "..")).resolve("demo/target/run/logs/mes-api.log");
    assertThat(java.nio.file.Files.readAllLines(mesLog))
        .anyMatch(line -> line.matches(".*\"order_id\":\"JW-\\d{6}\".*") && line.contains("\"trace_id\""));

    if (printed.contains("What Loupe named as lost:")) {
      Matcher named = Pattern.compile("What Loupe named as lost: (\\d+) order\\(s\\), (\\d+) of the (\\d+) lost or stranded")
          .matcher(printed);
      assertThat(named.find()).isTrue();
      assertThat(named.group(2)).as("lost orders Loupe named").isEqualTo(named.group(3)).isEqualTo(named.group(1));
      assertThat(printed).containsPattern("\\d+ +rejected +mes-api: \\S+ .*mes\\.order-intake");
      assertThat(printed).containsPattern("its trace: trace id [0-9a-f]{32}")
          .containsPattern("its log lines: grep -h '\"order_id\":\"JW-\\d{6}\"'")
          .containsPattern("mes-api +WARN +Rejected an order message: order JW-\\d{6} has no customerSegment"
              + "  trace_id=[0-9a-f]{32}");
    } else {
      System.out.println("No Collector here: the demo took the direct path, and no trace names the lost orders");
    }
  }

  @Test
  void optionsAreReadAndBadOnesExplained() {
    DemoOptions o = DemoOptions.parse("--rate", "3", "--duration", "1m", "--fault", "crm-unroutable",
        "--fault", "mes-consumer-slow", "--calculation", "500ms");
    assertThat(o.rate()).isEqualTo(3);
    assertThat(o.duration()).isEqualTo(Duration.ofMinutes(1));
    assertThat(o.calculation()).isEqualTo(Duration.ofMillis(500));
    assertThat(o.faults()).containsExactly(Fault.CRM_UNROUTABLE, Fault.MES_CONSUMER_SLOW);
    assertThat(o.collector()).isTrue();
    assertThat(DemoOptions.parse("--no-collector").collector()).isFalse();

    assertThatThrownBy(() -> DemoOptions.parse("--fault", "broker-down"))
        .hasMessageContaining("unknown fault 'broker-down'").hasMessageContaining("crm-unroutable");
    assertThatThrownBy(() -> DemoOptions.parse("--rate", "0")).hasMessageContaining("--rate must be above 0");
    assertThatThrownBy(() -> DemoOptions.parse("--duration", "0s")).hasMessageContaining("must be positive");
    assertThatThrownBy(() -> DemoOptions.parse("--duration")).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> DemoOptions.parse("--turbo")).hasMessageContaining("unknown option --turbo");
  }

  @Test
  void anOrdersLogLineReadsAsTimeServiceLevelMessageAndTrace() {
    String json = "{\"@timestamp\":\"2026-11-29T17:32:06.278198401Z\",\"@version\":\"1\",\"message\":"
        + "\"Rejected an order message: order JW-000001 has no customerSegment\",\"level\":\"WARN\","
        + "\"trace_id\":\"7108d63716e0e881252c127f09086683\",\"order_id\":\"JW-000001\"}";
    assertThat(LoupeView.logLine("mes-api", json)).isEqualTo("17:32:06.278 mes-api  WARN  Rejected an order message:"
        + " order JW-000001 has no customerSegment  trace_id=7108d63716e0e881252c127f09086683");
    assertThat(LoupeView.logLine("mes-api", "not json")).isEqualTo("mes-api not json");
  }

  private static long measured(String printed, String service) {
    Matcher m = Pattern.compile(service + "\\s+agent measured (\\d+) HTTP server requests").matcher(printed);
    assertThat(m.find()).as("the demo reports what the agent measured in " + service).isTrue();
    return Long.parseLong(m.group(1));
  }
}
