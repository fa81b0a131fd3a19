package dev.loupe.sample.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RunningStack.class)
class ShopFaultsTest {

  private static final String PG_SLEEP_CALLS =
      "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE 'SELECT pg_sleep%'";

  @Test
  void controllerBugAnswers500ForOrdersWithoutAnEngravingOnly(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    stack.fault(Fault.SHOP_CONTROLLER_BUG, true);

    assertThat(pipeline.client().placeOrder(OrderRequest.typical().withEngraving(null)).status()).isEqualTo(500);
    assertThat(pipeline.client().placeOrder(OrderRequest.typical()).status()).isEqualTo(201);

    stack.fault(Fault.SHOP_CONTROLLER_BUG, false);
    assertThat(pipeline.client().placeOrder(OrderRequest.typical().withEngraving(null)).status()).isEqualTo(201);
  }

  @Test
  void swallowedSaveAnswers201ButTheOrderIsNeverStored(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    stack.fault(Fault.SHOP_SAVE_SWALLOWED, true);

    PipelineClient.Placement placement = pipeline.client().placeOrder(OrderRequest.typical());

    assertThat(placement.status()).isEqualTo(201);
    assertThat(placement.orderId()).isNotNull();
    assertThat(pipeline.shopDbStatus(placement.orderId())).isEmpty();
    assertThat(pipeline.client().shopOrder(placement.orderId())).isEmpty();
    assertThat(pipeline.awaitLogLine(Service.SHOP, "\"level\":\"ERROR\"", "Could not save order " + placement.orderId()))
        .contains("customer_nmae");
  }

  @Test
  void slowShopDbMakesEveryStatementWaitInsidePostgres(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    long sleepsBefore = Pipeline.number(stack.shopDb(), PG_SLEEP_CALLS);
    stack.fault(Fault.SHOP_DB_SLOW, true);

    long started = System.nanoTime();
    String orderId = pipeline.place(OrderRequest.typical());
    long millis = (System.nanoTime() - started) / 1_000_000;

    // item check, order number and insert: three statements, each 1.5 s slower
    assertThat(millis).isGreaterThanOrEqualTo(4_500);
    assertThat(Pipeline.number(stack.shopDb(), PG_SLEEP_CALLS) - sleepsBefore).isGreaterThanOrEqualTo(3);
    assertThat(pipeline.shopDbStatus(orderId)).isPresent();
  }

  @Test
  void poolLeakExhaustsTheShopDbPoolUntilSwitchedOff(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    stack.fault(Fault.SHOP_DB_POOL_LEAK, true);

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 7 && !statuses.contains(503); i++) {
      statuses.add(pipeline.client().placeOrder(OrderRequest.typical()).status());
    }
    assertThat(statuses).startsWith(201).endsWith(503);
    assertThat(pipeline.client().placeOrder(OrderRequest.typical()).status()).isEqualTo(503);

    stack.fault(Fault.SHOP_DB_POOL_LEAK, false);
    assertThat(pipeline.client().placeOrder(OrderRequest.typical()).status()).isEqualTo(201);
  }

  @Test
  void rejectedS3UploadFailsTheOrderLoudlyAndStoresNothing(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    long ordersBefore = Pipeline.number(stack.shopDb(), "SELECT count(*) FROM orders");
    long modelsBefore = modelCount(stack);
    stack.fault(Fault.SHOP_S3_REJECTED, true);

    PipelineClient.Placement placement = pipeline.client().placeOrder(OrderRequest.typical());

    assertThat(placement.status()).isEqualTo(502);
    assertThat(placement.body()).contains("model storage unavailable");
    assertThat(Pipeline.number(stack.shopDb(), "SELECT count(*) FROM orders")).isEqualTo(ordersBefore);
    assertThat(modelCount(stack)).isEqualTo(modelsBefore);
    pipeline.awaitLogLine(Service.SHOP, "Model upload failed", "Status Code: 403");
  }

  @Test
  void slowS3DelaysTheOrderButItStillGoesThrough(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    stack.fault(Fault.SHOP_S3_SLOW, true);

    long started = System.nanoTime();
    String orderId = pipeline.place(OrderRequest.typical());

    assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(3_000);
    pipeline.awaitShopStatus(orderId, "PRICED");
  }

  @Test
  void lenientRingSizeLetsTheShopAcceptOrdersThatMesRejects(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    OrderRequest usSize = OrderRequest.typical().withRingSize("7 US");
    assertThat(pipeline.client().placeOrder(usSize).status()).isEqualTo(400);

    stack.fault(Fault.SHOP_LENIENT_RING_SIZE, true);
    String orderId = pipeline.place(usSize);
    pipeline.awaitShopDbStatus(orderId, "CONFIRMED");
    pipeline.awaitLogLine(Service.MES, "Rejected an order message", orderId, "7 US");
    stack.fault(Fault.SHOP_LENIENT_RING_SIZE, false);

    pipeline.assertOvertakenAndNeverInMes(orderId);
    assertThat(pipeline.shopDbStatus(orderId)).contains("CONFIRMED");
  }

  private static long modelCount(Stack stack) throws Exception {
    Path models = stack.s3().object("models");
    if (!Files.exists(models)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(models)) {
      return files.filter(Files::isRegularFile).count();
    }
  }
}
