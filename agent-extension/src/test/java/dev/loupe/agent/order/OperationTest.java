package dev.loupe.agent.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperationTest {

  @Test
  void readsNameMethodSourceAndDeadline() {
    Operation o = Operation.parse("price_calculation:dev.loupe.sample.mes.PriceCalculator#calculate:arg0.orderId:45m");
    assertThat(o.name()).isEqualTo("price_calculation");
    assertThat(o.method().key()).isEqualTo("dev.loupe.sample.mes.PriceCalculator#calculate");
    assertThat(o.method().path()).containsExactly("orderId");
    assertThat(o.deadline()).isEqualTo(Duration.ofMinutes(45));
    assertThat(Operation.parseHandoff(Operation.handoff(List.of(o)))).containsExactly(o);
  }

  @Test
  void badSpecsAreRefusedSayingWhy() {
    assertThatThrownBy(() -> Operation.parse("a.B#c:arg0:5m")).hasMessageContaining("is not name:class#method");
    assertThatThrownBy(() -> Operation.parse("Price:a.B#c:arg0:5m")).hasMessageContaining("lower case");
    assertThatThrownBy(() -> Operation.parse("p:a.B#c:return:5m")).hasMessageContaining("from an argument");
    assertThatThrownBy(() -> Operation.parse("p:a.B#c:arg0:soon")).hasMessageContaining("deadline 'soon'");
    assertThatThrownBy(() -> Operation.parse("p:a.B#c:arg0:0s")).hasMessageContaining("deadline '0s'");
  }
}
