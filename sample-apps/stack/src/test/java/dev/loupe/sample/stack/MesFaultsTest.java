package dev.loupe.sample.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RunningStack.class)
class MesFaultsTest {

  private static final String OPERATOR_LOOKUPS =
      "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE 'SELECT name FROM operators WHERE id = $1'";
  private static final String PAGE_QUERY = "SELECT o.order_id FROM orders o WHERE o.status = 'SHIPPED'"
      + " ORDER BY o.received_at DESC LIMIT 20";

  @Test
  void consumerRejectDropsTheMessageWithoutRequeueAndTheOrderIsLost(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    stack.fault(Fault.MES_CONSUMER_REJECT, true);

    String orderId = pipeline.place(OrderRequest.typical());
    pipeline.awaitLogLine(Service.MES, "Rejected an order message", orderId, "customerSegment");
    stack.fault(Fault.MES_CONSUMER_REJECT, false);

    pipeline.assertOvertakenAndNeverInMes(orderId);
    assertThat(stack.broker().messageCount("mes.order-intake")).isZero();
    assertThat(pipeline.shopDbStatus(orderId)).contains("CONFIRMED");
  }

  @Test
  void slowConsumerFallsBehindAndTheQueueGrows(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    stack.fault(Fault.MES_CONSUMER_SLOW, true);

    List<String> orders = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      orders.add(pipeline.place(OrderRequest.typical()));
    }
    int deepest = Eventually.await("a backlog in the intake queue", Pipeline.FLOW_TIMEOUT, () -> {
      int ready = stack.broker().messageCount("mes.order-intake");
      return ready >= 2 ? Optional.of(ready) : Optional.empty();
    });
    assertThat(deepest).isGreaterThanOrEqualTo(2);

    stack.fault(Fault.MES_CONSUMER_SLOW, false);
    for (String orderId : orders) {
      pipeline.awaitMesStatus(orderId, "PRICED");
    }
  }

  @Test
  void consumerCrashAfterTheAckLosesTheOrder(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    stack.fault(Fault.MES_CONSUMER_CRASH, true);

    String orderId = pipeline.place(OrderRequest.typical());
    pipeline.awaitLogLine(Service.MES, "order mapper failed for order " + orderId);
    stack.fault(Fault.MES_CONSUMER_CRASH, false);

    pipeline.assertOvertakenAndNeverInMes(orderId);
    assertThat(stack.broker().messageCount("mes.order-intake")).isZero();
  }

  @Test
  void calculationCrashLeavesTheOrderCalculatingForEver(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    double failedBefore = metric(stack, "mes_calculations_total{outcome=\"failed\",}");
    stack.fault(Fault.MES_CALCULATION_CRASH, true);

    String orderId = pipeline.place(OrderRequest.typical());
    pipeline.awaitLogLine(Service.MES, "\"level\":\"ERROR\"", "Price calculation for order " + orderId + " failed");
    stack.fault(Fault.MES_CALCULATION_CRASH, false);

    String control = pipeline.place(OrderRequest.typical());
    pipeline.awaitShopStatus(control, "PRICED");
    assertThat(pipeline.mesDbStatus(orderId)).contains("CALCULATING");
    assertThat(pipeline.shopDbStatus(orderId)).contains("CALCULATING");
    assertThat(metric(stack, "mes_calculations_total{outcome=\"failed\",}")).isEqualTo(failedBefore + 1);
  }

  @Test
  void calculationHangKeepsTheOrderCalculatingUntilReleased(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    stack.fault(Fault.MES_CALCULATION_HANG, true);

    String orderId = pipeline.place(OrderRequest.typical());
    pipeline.awaitMesStatus(orderId, "CALCULATING");
    Thread.sleep(3_000); // six times the test stack's calculation time
    assertThat(pipeline.mesDbStatus(orderId)).contains("CALCULATING");
    assertThat(metric(stack, "mes_calculations_running")).isGreaterThanOrEqualTo(1);

    stack.fault(Fault.MES_CALCULATION_HANG, false);
    pipeline.awaitShopStatus(orderId, "PRICED");
  }

  @Test
  void slowMesDbSlowsTheOrdersPage(Stack stack) throws Exception {
    PipelineClient client = stack.client();
    stack.fault(Fault.MES_DB_SLOW, true);

    PipelineClient.PageView view = client.ordersPage("SHIPPED", 0, 20);

    assertThat(view.status()).isEqualTo(200);
    assertThat(view.nanos() / 1_000_000).isGreaterThanOrEqualTo(1_500);
  }

  @Test
  void poolLeakExhaustsTheMesDbPoolUntilSwitchedOff(Stack stack) throws Exception {
    PipelineClient client = stack.client();
    stack.fault(Fault.MES_DB_POOL_LEAK, true);

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 7 && !statuses.contains(503); i++) {
      statuses.add(client.ordersPage("SHIPPED", 0, 5).status());
    }
    assertThat(statuses).startsWith(200).endsWith(503);

    stack.fault(Fault.MES_DB_POOL_LEAK, false);
    assertThat(client.ordersPage("SHIPPED", 0, 5).status()).isEqualTo(200);
  }

  @Test
  void nPlusOnePageRunsTwoMoreQueriesPerRow(Stack stack) throws Exception {
    PipelineClient client = stack.client();
    long before = Pipeline.number(stack.mesDb(), OPERATOR_LOOKUPS);
    client.ordersPage("SHIPPED", 0, 20);
    assertThat(Pipeline.number(stack.mesDb(), OPERATOR_LOOKUPS)).isEqualTo(before);

    stack.fault(Fault.MES_ORDERS_PAGE_N_PLUS_ONE, true);
    PipelineClient.PageView view = client.ordersPage("SHIPPED", 0, 20);

    assertThat(view.orderIds()).hasSize(20);
    assertThat(Pipeline.number(stack.mesDb(), OPERATOR_LOOKUPS) - before).isEqualTo(20);
  }

  @Test
  void missingIndexMakesTheOrdersPageScanTheWholeTable(Stack stack) throws Exception {
    assertThat(plan(stack)).contains("orders_status_received_idx").doesNotContain("Seq Scan");

    stack.fault(Fault.MES_ORDERS_PAGE_MISSING_INDEX, true);
    assertThat(plan(stack)).contains("Seq Scan").doesNotContain("orders_status_received_idx");
    assertThat(stack.client().ordersPage("SHIPPED", 0, 20).orderIds()).hasSize(20);

    stack.fault(Fault.MES_ORDERS_PAGE_MISSING_INDEX, false);
    assertThat(plan(stack)).contains("orders_status_received_idx");
  }

  @Test
  void legacyMetricsShowOrdersByStatusAndTheCalculationQueue(Stack stack) throws Exception {
    String metrics = scrape(stack);
    assertThat(metrics).contains("mes_calculation_queue_size ").contains("mes_orders{status=\"SHIPPED\",}");
  }

  private static String plan(Stack stack) throws Exception {
    StringBuilder plan = new StringBuilder();
    try (Connection c = stack.mesDb(); PreparedStatement s = c.prepareStatement("EXPLAIN " + PAGE_QUERY);
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        plan.append(rs.getString(1)).append('\n');
      }
    }
    return plan.toString();
  }

  private static String scrape(Stack stack) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(stack.url(Service.MES).resolve("/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static double metric(Stack stack, String series) throws Exception {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape(stack));
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
