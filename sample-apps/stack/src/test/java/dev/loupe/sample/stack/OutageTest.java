package dev.loupe.sample.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.sample.loadgen.OrderRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    awaitOrdersFlowAgain(pipeline, "the broker came back");
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

    awaitOrdersFlowAgain(pipeline, "the Shop DB came back");
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

    awaitOrdersFlowAgain(pipeline, "the MES DB came back");
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
    awaitOrdersFlowAgain(pipeline, "S3 came back");
  }

  /**
   * Like its production original, MES exits when its database does not answer at start-up. The stack
   * starts it again, as an init system would, until the database is back.
   */
  @Test
  void mesStartedWhileItsDatabaseIsDownIsStartedAgainOnceTheDatabaseAnswers(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    long startsBefore = pipeline.logLines(Service.MES, "MES API listening on");
    long failuresBefore = pipeline.logLines(Service.MES, "Exception in thread \"main\"");
    stack.stopApp(Service.MES);
    stack.mesDbServer().stop();
    Thread databaseBack = new Thread(() -> {
      try {
        Thread.sleep(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      stack.mesDbServer().start();
    });
    databaseBack.start();
    try {
      stack.startApp(Service.MES);
    } finally {
      databaseBack.join();
    }
    assertThat(pipeline.logLines(Service.MES, "Exception in thread \"main\"")).as("starts that failed")
        .isGreaterThan(failuresBefore);
    // MES answers its health check a moment before it logs that it listens
    Eventually.await("MES to log its start", Duration.ofSeconds(10),
        () -> pipeline.logLines(Service.MES, "MES API listening on") > startsBefore ? Optional.of(true) : Optional.empty());
    assertThat(pipeline.logLines(Service.MES, "MES API listening on")).as("starts that succeeded")
        .isEqualTo(startsBefore + 1);
    awaitOrdersFlowAgain(pipeline, "MES started again");
  }

  /**
   * Recovery means orders flow end to end again without anyone restarting a service. The first
   * orders after the outage may still be lost while connection pools back off, so customers keep
   * ordering, every few seconds, until one is priced and reported back to the shop.
   */
  private static void awaitOrdersFlowAgain(Pipeline pipeline, String after) throws Exception {
    List<String> placed = new ArrayList<>();
    long[] lastPlaced = {0};
    Eventually.await("an order placed after " + after + " to be priced", RECOVERY, () -> {
      for (String orderId : placed) {
        if (pipeline.client().shopOrder(orderId).filter(o -> o.path("status").asText().equals("PRICED")).isPresent()) {
          return Optional.of(orderId);
        }
      }
      if (System.nanoTime() - lastPlaced[0] > 3_000_000_000L) {
        var placement = pipeline.client().placeOrder(OrderRequest.typical());
        if (placement.accepted()) {
          placed.add(placement.orderId());
        }
        lastPlaced[0] = System.nanoTime();
      }
      return Optional.empty();
    });
  }
}
