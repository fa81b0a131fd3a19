package dev.loupe.sample.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.sample.loadgen.OrderRequest;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RunningStack.class)
class OrderFlowTest {

  @Test
  void anOrderPlacedAtTheShopIsPricedByMesAndItsStatusComesBackToTheShopDb(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    OrderRequest request = OrderRequest.typical();

    String orderId = pipeline.place(request);

    assertThat(orderId).matches("JW-\\d{6}");
    JsonNode priced = pipeline.awaitShopStatus(orderId, "PRICED");
    // a 17.5 mm band, 1.8 mm thick and 5 mm wide, is about 550 mm3 of 18-carat gold on top of the base price
    assertThat(priced.path("price_cents").asInt()).isBetween(42_000 + 45_000, 42_000 + 60_000);
    assertThat(pipeline.mesDbStatus(orderId)).contains("PRICED");
    assertThat(pipeline.shopDbStatus(orderId)).contains("PRICED");
    assertThat(Files.readAllBytes(stack.s3().object("models/" + orderId + "/ring.stl"))).isEqualTo(request.model());
  }

  @Test
  void anOperatorTakesAPricedOrderIntoProductionAndTheShopSeesIt(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    String orderId = pipeline.place(OrderRequest.typical());
    pipeline.awaitMesStatus(orderId, "PRICED");

    assertThat(pipeline.client().ordersPage("PRICED", 0, 50).orderIds()).contains(orderId);
    assertThat(pipeline.client().assign(orderId, 2)).isEqualTo(200);

    assertThat(pipeline.awaitShopStatus(orderId, "IN_PRODUCTION")).isNotNull();
    assertThat(pipeline.client().mesOrder(orderId).orElseThrow().path("operator").asText()).isEqualTo("Boris");
  }
}
