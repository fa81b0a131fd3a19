package dev.loupe.sample.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MainTest {

  @Test
  void readsEveryOption() {
    Main.Parsed p = Main.parse(new String[] {"--rate", "5", "--duration", "2m", "--drain", "10s", "--sellers",
        "--page-rate", "0", "--no-assign", "--shop", "http://127.0.0.1:1"});
    assertThat(p.settings().ordersPerSecond()).isEqualTo(5);
    assertThat(p.settings().duration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(p.settings().drain()).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.settings().sellersConfirm()).isTrue();
    assertThat(p.settings().operatorsAssign()).isFalse();
  }

  @Test
  void badInputIsRefusedWithTheReason() {
    assertThatThrownBy(() -> Main.parse(new String[] {"--rate", "fast"})).hasMessageContaining("--rate must be a number");
    assertThatThrownBy(() -> Main.parse(new String[] {"--rate", "0"})).hasMessageContaining("above 0");
    assertThatThrownBy(() -> Main.parse(new String[] {"--duration", "soon"})).hasMessageContaining("not a duration");
    assertThatThrownBy(() -> Main.parse(new String[] {"--shop", "127.0.0.1:8081"})).hasMessageContaining("http(s) URL");
    assertThatThrownBy(() -> Main.parse(new String[] {"--speed", "1"})).hasMessageContaining("unknown option --speed");
    assertThatThrownBy(() -> Main.parse(new String[] {"--rate"})).hasMessageContaining("needs a value");
  }
}
