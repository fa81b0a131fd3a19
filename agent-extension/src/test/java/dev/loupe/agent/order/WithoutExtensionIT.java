package dev.loupe.agent.order;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.agent.harness.OtlpReceiver.ExportedSpan;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Stack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The same run with the vanilla agent only: whatever order ids the telemetry has, the extension put there. */
class WithoutExtensionIT {

  @Test
  void theVanillaAgentPutsNoOrderIdOnCrmAndMesSpans() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver();
        Stack stack = AgentStack.start("without-extension", receiver, false, Map.of())) {
      PipelineClient client = stack.client();
      String id = client.placeOrder(OrderRequest.typical()).orderId();
      Eventually.await("order " + id + " to be priced", Duration.ofSeconds(60), () -> client.shopOrder(id)
          .filter(o -> o.path("status").asText().equals("PRICED")));
      List<ExportedSpan> spans = Eventually.await("consumer spans from MES and producer spans from the CRM",
          Duration.ofSeconds(30), () -> {
            List<ExportedSpan> all = receiver.spans();
            boolean both = all.stream().anyMatch(s -> s.service().equals("mes-api") && s.kind().equals("SPAN_KIND_CONSUMER"))
                && all.stream().anyMatch(s -> s.service().equals("crm-api") && s.kind().equals("SPAN_KIND_PRODUCER"));
            return both ? Optional.of(all) : Optional.empty();
          });

      assertThat(spans.stream().filter(s -> s.service().equals("crm-api") || s.service().equals("mes-api")))
          .isNotEmpty()
          .allSatisfy(s -> assertThat(s.attributes()).doesNotContainKey("order.id"));
      assertThat(receiver.logs()).allSatisfy(l -> assertThat(l.attributes()).doesNotContainKey("order.id"));
    }
  }
}
