package dev.loupe.agent.order;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.agent.harness.OtlpReceiver.ExportedSpan;
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

/** The opt-in order id from a JSON field of a RabbitMQ message body, for consumers and for publishers. */
class AmqpBodyIT {

  private static final String BODY_FIELD = "-Dloupe.order-id.amqp-body-fields=orderId";
  private static final String NO_METHODS = "-Dloupe.order-id.methods=";

  @Test
  void aConsumerFindsTheOrderInTheBodyWhenNoContextCameWithTheMessage() throws Exception {
    // the CRM gets the extension without its legacy-method settings: nothing tells it the order, so its
    // messages carry no order id in their headers; MES reads it from the body
    try (OtlpReceiver receiver = new OtlpReceiver();
        Stack stack = AgentStack.start("amqp-consumer", receiver, true,
            Map.of(Service.CRM, List.of(NO_METHODS), Service.MES, List.of(BODY_FIELD)))) {
      String id = placeAndPrice(stack);
      ExportedSpan consumer = Eventually.await("the MES consumer span of " + id, Duration.ofSeconds(30),
          () -> receiver.spans().stream().filter(s -> s.service().equals("mes-api")
              && s.kind().equals("SPAN_KIND_CONSUMER") && id.equals(s.orderId())).findFirst());
      assertThat(consumer.orderId()).isEqualTo(id);
      assertThat(receiver.spans()).filteredOn(s -> s.service().equals("crm-api") && s.kind().equals("SPAN_KIND_PRODUCER"))
          .isNotEmpty().allSatisfy(s -> assertThat(s.orderId()).isNull());
    }
  }

  @Test
  void aPublisherFindsTheOrderInTheBodyAndSendsItOnInBaggage() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver();
        Stack stack = AgentStack.start("amqp-publisher", receiver, true,
            Map.of(Service.CRM, List.of(NO_METHODS, BODY_FIELD)))) {
      String id = placeAndPrice(stack);
      Eventually.await("the CRM producer span of " + id + " and the MES consumer span after it", Duration.ofSeconds(30),
          () -> {
            List<ExportedSpan> spans = receiver.spans();
            boolean produced = spans.stream().anyMatch(s -> s.service().equals("crm-api")
                && s.kind().equals("SPAN_KIND_PRODUCER") && id.equals(s.orderId()));
            boolean consumed = spans.stream().anyMatch(s -> s.service().equals("mes-api")
                && s.kind().equals("SPAN_KIND_CONSUMER") && id.equals(s.orderId()));
            return produced && consumed ? Optional.of(true) : Optional.empty();
          });
    }
  }

  private static String placeAndPrice(Stack stack) throws Exception {
    PipelineClient client = stack.client();
    String id = client.placeOrder(OrderRequest.typical()).orderId();
    Eventually.await("order " + id + " to be priced", Duration.ofSeconds(60), () -> client.shopOrder(id)
        .filter(o -> o.path("status").asText().equals("PRICED")));
    return id;
  }
}
