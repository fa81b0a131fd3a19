package dev.loupe.agent.loss;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.agent.harness.OtlpReceiver.ExportedSpan;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A publisher with confirms whose message the broker refuses: the nack names the order. */
class PublishNackedIT {

  @Test
  void aPublishTheBrokerNacksIsReportedWithItsOrder() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver();
        Stack stack = AgentStack.start("nacked", receiver, true, Map.of(Service.CRM,
            List.of("-Dspring.rabbitmq.publisher-confirm-type=correlated")))) {
      // a full queue that refuses new messages: the broker nacks every publish routed only to it
      stack.broker().policy("intake-full", "^mes\\.order-intake$", "{\"max-length\":0,\"overflow\":\"reject-publish\"}");
      String id = stack.client().placeOrder(OrderRequest.typical()).orderId();
      ExportedSpan nacked = Eventually.await("the nack of " + id, Duration.ofSeconds(30), () -> receiver.spans()
          .stream().filter(s -> id.equals(s.orderId()) && "publish_nacked".equals(s.attributes().get("loupe.loss.reason")))
          .findFirst());
      assertThat(nacked.service()).isEqualTo("crm-api");
      assertThat(nacked.attributes()).containsEntry("messaging.destination.name", "jewelry.orders");
      Eventually.await("the WARN log record of the nacked order", Duration.ofSeconds(30), () -> receiver.logs().stream()
          .filter(l -> id.equals(l.orderId()) && "publish_nacked".equals(l.attributes().get("loupe.loss.reason")))
          .findFirst());
    }
  }
}
