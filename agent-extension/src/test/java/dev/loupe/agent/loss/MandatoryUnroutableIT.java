package dev.loupe.agent.loss;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.agent.harness.OtlpReceiver.ExportedSpan;
import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A publisher that sets mandatory itself: the broker's return is reported without the opt-in detection. */
class MandatoryUnroutableIT {

  @Test
  void aMandatoryPublishTheBrokerReturnsIsReportedWithItsOrder() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver();
        Stack stack = AgentStack.start("mandatory", receiver, true, Map.of(Service.CRM,
            List.of("-Dcrm.publish-mandatory=true", "-Dloupe.messaging.detect-unroutable=false")))) {
      stack.fault(Fault.CRM_UNROUTABLE, true);
      String id = stack.client().placeOrder(OrderRequest.typical()).orderId();
      ExportedSpan returned = Eventually.await("the return of " + id, Duration.ofSeconds(30), () -> receiver.spans()
          .stream().filter(s -> id.equals(s.orderId()) && "unroutable".equals(s.attributes().get("loupe.loss.reason")))
          .findFirst());
      assertThat(returned.service()).isEqualTo("crm-api");
      assertThat(returned.attributes()).containsEntry("messaging.destination.name", "jewelry.orders")
          .containsEntry("messaging.rabbitmq.destination.routing_key", "order.confirmd");
      String log = java.nio.file.Files.readString(stack.log(Service.CRM));
      assertThat(log).contains("detect-unroutable=false");
    }
  }
}
