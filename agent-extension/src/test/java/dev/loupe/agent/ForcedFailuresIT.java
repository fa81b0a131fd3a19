package dev.loupe.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Acceptance: every extension component is made to fail on first use in all three apps at once; the
 * apps still answer exactly as they do without the extension — the order goes through end to end, the
 * pages and lookups answer as usual — and each component says once, by name, that it switched off.
 */
class ForcedFailuresIT {

  /** Every component with a boundary; each runs in at least one app during the scenario below. */
  static final List<String> COMPONENTS = List.of("order correlation (spans)", "order correlation (propagator)",
      "order correlation (logs)", "database diagnosis", "loss sentinels (spans)", "loss sentinels (logs)",
      "object storage requests", "HTTP route templates", "untraced routes", "order methods", "order id in the MDC",
      "RabbitMQ loss sentinels", "redaction");

  @Test
  void theAppsAnswerAsUsualWhileEveryComponentFailsAndSwitchesItselfOff() throws Exception {
    List<String> fail = List.of("-D" + Guard.FAIL_HANDOFF + "=" + String.join(",", COMPONENTS));
    Map<Service, List<String>> logs = new EnumMap<>(Service.class);
    try (OtlpReceiver receiver = new OtlpReceiver();
        Stack stack = AgentStack.start("forced-failures", receiver, true,
            Map.of(Service.SHOP, fail, Service.CRM, fail, Service.MES, fail))) {
      PipelineClient client = stack.client();
      PipelineClient.Placement placed = client.placeOrder(OrderRequest.typical());
      assertThat(placed.status()).isEqualTo(201);
      String id = placed.orderId();
      assertThat(id).matches("JW-\\d{6}");
      JsonNode priced = Eventually.await("order " + id + " priced and reported back to the shop", Duration.ofSeconds(60),
          () -> client.shopOrder(id).filter(o -> o.path("status").asText().equals("PRICED")));
      assertThat(priced.toString()).contains(id);
      assertThat(client.mesOrder(id)).hasValueSatisfying(o -> assertThat(o.path("status").asText()).isEqualTo("PRICED"));
      assertThat(client.shopOrder("JW-999999")).isEmpty();
      PipelineClient.PageView page = client.ordersPage("PRICED", 0, 20);
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.orderIds()).contains(id);
      assertThat(client.assign(id, 1)).isEqualTo(200);
      assertThat(client.mesOrder(id)).hasValueSatisfying(o -> assertThat(o.path("status").asText()).isEqualTo("IN_PRODUCTION"));
      for (Service s : Service.values()) {
        logs.put(s, lastJvm(Files.readAllLines(stack.log(s))));
      }
    }

    List<String> missing = new ArrayList<>();
    for (String component : COMPONENTS) {
      // redaction fails closed (nothing more is exported); the others switch themselves off
      String line = "Loupe: " + component + " failed ";
      long total = 0;
      for (var e : logs.entrySet()) {
        long n = e.getValue().stream().filter(l -> l.contains(line)).count();
        assertThat(n).as("%s in %s says it failed once, not on every use", component, e.getKey()).isLessThanOrEqualTo(1);
        total += n;
      }
      if (total == 0) {
        missing.add(component);
      }
    }
    assertThat(missing).as("components that never reported their forced failure").isEmpty();
  }

  /**
   * The lines of the JVM that served the scenario: on a loaded machine the stack may start a service
   * again after a first attempt exited while starting (its database answered too late), and both
   * attempts write to the same log, each with its own failures to report once.
   */
  private static List<String> lastJvm(List<String> log) {
    int start = 0;
    for (int i = 0; i < log.size(); i++) {
      if (log.get(i).contains("opentelemetry-javaagent - version:")) {
        start = i;
      }
    }
    return log.subList(start, log.size());
  }
}
