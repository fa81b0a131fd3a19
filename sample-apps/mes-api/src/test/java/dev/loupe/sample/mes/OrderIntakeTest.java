package dev.loupe.sample.mes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.faults.FaultSwitch;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OrderIntakeTest {

  private final FaultSwitch faults = new FaultSwitch("mes-api");
  private final OrderIntake intake = new OrderIntake(null, new ObjectMapper(), null, null, null, null, faults);

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aConfirmedOrderFromTheCrmIsAccepted() throws Exception {
    OrderBook.ReceivedOrder order = intake.parse(bytes("{\"orderId\":\"JW-000007\",\"itemId\":1,"
        + "\"basePriceCents\":42000,\"ringSize\":\"17.5\",\"engraving\":null,\"modelKey\":\"models/JW-000007/r.stl\"}"));
    assertThat(order.orderId()).isEqualTo("JW-000007");
    assertThat(order.ringSize()).isEqualByComparingTo(new BigDecimal("17.5"));
  }

  @Test
  void theLegacyKeyValueFormatIsNotJson() {
    assertThatThrownBy(() -> intake.parse(bytes("orderId=JW-1;itemId=1;")))
        .isInstanceOf(OrderIntake.InvalidOrderMessage.class).hasMessage("not JSON");
  }

  @Test
  void usRingSizesAreRefused() {
    assertThatThrownBy(() -> intake.parse(bytes("{\"orderId\":\"JW-1\",\"itemId\":1,\"basePriceCents\":1,"
        + "\"ringSize\":\"7 US\",\"modelKey\":\"k\"}"))).hasMessageContaining("'7 US', not an EU size");
  }

  @Test
  void theStrictValidationFaultRefusesEveryCrmMessage() {
    faults.set(Fault.MES_CONSUMER_REJECT, true);
    assertThatThrownBy(() -> intake.parse(bytes("{\"orderId\":\"JW-1\",\"itemId\":1,\"basePriceCents\":1,"
        + "\"modelKey\":\"k\"}"))).hasMessageContaining("no customerSegment");
  }
}
