package dev.loupe.sample.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.sample.loadgen.OrderRequest;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real outages: the broker, a database or S3 is stopped, orders are placed meanwhile, and the stack is
 * brought back. The services must recover by themselves; what was lost during the outage stays lost.
 */
@ExtendWith(RunningStack.class)
class OutageTest {

  private static final Duration RECOVERY = Duration.ofSeconds(60);

  @Test
  void brokerOutageLosesTheOrderConfirmedMeanwhileAndTheServicesRecover(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    stack.broker().stop();
    String lost;
    try {
      lost = pipeline.place(OrderRequest.typical());
      pipeline.awaitShopDbStatus(lost, "CONFIRMED");
      pipeline.awaitLogLine(Service.CRM, "\"level\":\"ERROR\"", "Connection refused");
    } finally {
      stack.broker().start();
    }

    String after = pipeline.place(OrderRequest.typical());
    Eventually.await("an order placed after the broker came back to be priced", RECOVERY,
        () -> pipeline.client().shopOrder(after).filter(o -> o.path("status").asText().equals("PRICED")));
    assertThat(pipeline.mesDbStatus(lost)).isEmpty();
    assertThat(pipeline.shopDbStatus(lost)).contains("CONFIRMED");
  }

  @Test
  void shopDbOutageRefusesOrdersAndTheShopRecovers(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    stack.shopDbServer().stop();
    try {
      assertThat(pipeline.client().placeOrder(OrderRequest.typical()).status()).isEqualTo(503);
    } finally {
      stack.shopDbServer().start();
    }

    String after = Eventually.await("the shop to take orders again", RECOVERY, () -> {
      var placement = pipeline.client().placeOrder(OrderRequest.typical());
      return placement.accepted() ? Optional.of(placement.orderId()) : Optional.empty();
    });
    pipeline.awaitShopStatus(after, "PRICED");
  }

  @Test
  void mesDbOutageLosesTheOrderTakenOffTheQueueMeanwhileAndMesRecovers(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    stack.mesDbServer().stop();
    String lost;
    try {
      assertThat(pipeline.client().ordersPage("PRICED", 0, 20).status()).isEqualTo(503);
      lost = pipeline.place(OrderRequest.typical());
      pipeline.awaitLogLine(Service.MES, "could not store order " + lost);
    } finally {
      stack.mesDbServer().start();
    }

    String after = pipeline.place(OrderRequest.typical());
    Eventually.await("an order placed after the MES DB came back to be priced", RECOVERY,
        () -> pipeline.client().shopOrder(after).filter(o -> o.path("status").asText().equals("PRICED")));
    assertThat(pipeline.mesDbStatus(lost)).isEmpty();
    assertThat(stack.broker().messageCount("mes.order-intake")).isZero();
  }

  @Test
  void s3OutageFailsOrdersLoudlyAndTheShopRecovers(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    stack.s3().stop();
    try {
      assertThat(pipeline.client().placeOrder(OrderRequest.typical()).status()).isEqualTo(502);
    } finally {
      stack.s3().start();
    }
    pipeline.awaitShopStatus(pipeline.place(OrderRequest.typical()), "PRICED");
  }
}
