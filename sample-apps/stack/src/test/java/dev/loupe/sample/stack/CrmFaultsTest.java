package dev.loupe.sample.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.OrderRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RunningStack.class)
class CrmFaultsTest {

  @Test
  void unroutablePublishIsDroppedSilentlyAndTheOrderNeverReachesMes(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    stack.fault(Fault.CRM_UNROUTABLE, true);

    String orderId = pipeline.place(OrderRequest.typical());
    pipeline.awaitShopDbStatus(orderId, "CONFIRMED");
    pipeline.awaitLogLine(Service.CRM, "Order " + orderId + " confirmed and sent to MES");
    stack.fault(Fault.CRM_UNROUTABLE, false);

    pipeline.assertOvertakenAndNeverInMes(orderId);
    assertThat(stack.broker().messageCount("mes.order-intake")).isZero();
    assertThat(pipeline.shopDbStatus(orderId)).contains("CONFIRMED");
  }

  @Test
  void malformedPayloadIsRejectedByMesAndTheOrderIsLost(Stack stack) throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    stack.fault(Fault.CRM_MALFORMED_PAYLOAD, true);

    String orderId = pipeline.place(OrderRequest.typical());
    pipeline.awaitShopDbStatus(orderId, "CONFIRMED");
    pipeline.awaitLogLine(Service.MES, "Rejected an order message: not JSON");
    stack.fault(Fault.CRM_MALFORMED_PAYLOAD, false);

    pipeline.assertOvertakenAndNeverInMes(orderId);
    assertThat(pipeline.shopDbStatus(orderId)).contains("CONFIRMED");
  }
}
