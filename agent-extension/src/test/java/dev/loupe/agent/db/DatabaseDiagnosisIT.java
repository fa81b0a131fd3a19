package dev.loupe.agent.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.agent.harness.OtlpReceiver.ExportedPoint;
import dev.loupe.agent.harness.OtlpReceiver.ExportedSpan;
import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.PipelineClient;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Stack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The slow orders page, diagnosed by the extension on the unchanged MES under the real agent. */
class DatabaseDiagnosisIT {

  @Test
  void theNPlusOneOrdersPageIsMarkedOnItsRequestSpanAndCountedByRoute() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver();
        Stack stack = AgentStack.start("db-diagnosis", receiver, true, Map.of())) {
      PipelineClient client = stack.client();
      assertThat(client.ordersPage("SHIPPED", 0, 20).status()).isEqualTo(200);
      stack.fault(Fault.MES_ORDERS_PAGE_N_PLUS_ONE, true);
      try {
        assertThat(client.ordersPage("SHIPPED", 0, 20).orderIds()).hasSize(20);
      } finally {
        stack.fault(Fault.MES_ORDERS_PAGE_N_PLUS_ONE, false);
      }

      List<ExportedSpan> pages = Eventually.await("both orders page requests' spans", Duration.ofSeconds(30), () -> {
        List<ExportedSpan> found = receiver.spans().stream().filter(s -> s.service().equals("mes-api")
            && s.kind().equals("SPAN_KIND_SERVER") && "/api/orders".equals(s.attributes().get("url.path"))).toList();
        return found.size() >= 2 ? Optional.of(found) : Optional.empty();
      });
      // one page of 20 rows: the item and the operator looked up once per row
      assertThat(pages).filteredOn(s -> s.attributes().containsKey("loupe.db.repeated_statements"))
          .singleElement().satisfies(s -> assertThat(s.attributes().get("loupe.db.repeated_statements")).isEqualTo("20"));

      ExportedPoint point = Eventually.await("the loupe.db.repeated_statements metric", Duration.ofSeconds(30), () ->
          receiver.points().stream().filter(p -> p.metric().equals("loupe.db.repeated_statements")).reduce((a, b) -> b));
      assertThat(point.service()).isEqualTo("mes-api");
      // 19 repeats each of the item and the operator lookups
      assertThat(point.value()).isEqualTo(38);
      // the route template of mes-api.properties, not the JDK HttpServer's context "/"
      assertThat(point.attributes()).containsExactly(Map.entry("http.route", "/api/orders"));
    }
  }
}
