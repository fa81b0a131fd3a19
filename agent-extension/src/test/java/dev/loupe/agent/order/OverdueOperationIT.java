package dev.loupe.agent.order;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.agent.harness.OtlpReceiver.ExportedLog;
import dev.loupe.agent.harness.OtlpReceiver.ExportedPoint;
import dev.loupe.agent.harness.OtlpReceiver.ExportedSpan;
import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A hung price calculation is reported with its order while it still hangs. */
class OverdueOperationIT {

  private static final String DEADLINE =
      "-Dloupe.operations=price_calculation:dev.loupe.sample.mes.PriceCalculator#calculate:arg0.orderId:2s";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aHungCalculationIsOverdueWithItsOrderAndTheOldestAgeIsAGauge() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver();
        Stack stack = AgentStack.start("overdue", receiver, true, Map.of(Service.MES, List.of(DEADLINE)))) {
      PipelineClient client = stack.client();
      String healthy = client.placeOrder(OrderRequest.typical()).orderId();
      Eventually.await(healthy + " priced", WAIT, () -> client.shopOrder(healthy)
          .filter(o -> o.path("status").asText().equals("PRICED")));

      stack.fault(Fault.MES_CALCULATION_HANG, true);
      String hung;
      try {
        hung = client.placeOrder(OrderRequest.typical()).orderId();
        ExportedLog warning = Eventually.await("the overdue log record of " + hung, WAIT, () -> receiver.logs().stream()
            .filter(l -> hung.equals(l.orderId()) && l.body().contains("is overdue")).findFirst());
        assertThat(warning.service()).isEqualTo("mes-api");
        assertThat(warning.attributes()).containsEntry("loupe.loss.reason", "overdue")
            .containsEntry("operation", "price_calculation");
        assertThat(warning.traceId()).isNotEqualTo("0".repeat(32));
        ExportedPoint age = Eventually.await("an oldest in-flight age past the deadline", WAIT, () -> receiver.points()
            .stream().filter(p -> p.metric().equals("loupe.operation.oldest_inflight_age") && p.value() >= 2).findFirst());
        assertThat(age.attributes()).containsExactly(Map.entry("operation", "price_calculation"));
        Eventually.await("loupe.operation.overdue to count the call", WAIT, () -> receiver.points().stream()
            .filter(p -> p.metric().equals("loupe.operation.overdue") && p.value() >= 1
                && "price_calculation".equals(p.attributes().get("operation"))).findFirst());
      } finally {
        stack.fault(Fault.MES_CALCULATION_HANG, false);
      }

      ExportedSpan span = Eventually.await("the hung calculation's span", WAIT, () -> receiver.spans().stream()
          .filter(s -> s.name().equals("PriceCalculator.calculate") && hung.equals(s.orderId())).findFirst());
      assertThat(span.attributes()).containsEntry("loupe.loss.reason", "overdue");
      assertThat(receiver.spans()).filteredOn(s -> s.name().equals("PriceCalculator.calculate") && healthy.equals(s.orderId()))
          .singleElement().satisfies(s -> assertThat(s.attributes()).doesNotContainKey("loupe.loss.reason"));
      assertThat(receiver.logs()).noneMatch(l -> healthy.equals(l.orderId()) && l.body().contains("overdue"));
      Eventually.await("the gauge back at 0 once nothing hangs", WAIT, () -> {
        List<ExportedPoint> ages = receiver.points().stream()
            .filter(p -> p.metric().equals("loupe.operation.oldest_inflight_age")).toList();
        return !ages.isEmpty() && ages.get(ages.size() - 1).value() == 0 ? Optional.of(true) : Optional.empty();
      });
    }
  }
}
