package dev.loupe.agent.order.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AmqpBodyOrderIdTest {

  private static final byte[][] ORDER_ID = {"\"orderId\"".getBytes(StandardCharsets.UTF_8)};

  private static String find(String json, int limit) {
    return AmqpBodyOrderId.find(json.getBytes(StandardCharsets.UTF_8), ORDER_ID, limit);
  }

  @Test
  void findsAStringOrNumberField() {
    assertThat(find("{\"itemId\":1,\"orderId\" : \"JW-000004\",\"x\":2}", 4096)).isEqualTo("JW-000004");
    assertThat(find("{\"orderId\":12345}", 4096)).isEqualTo("12345");
  }

  @Test
  void staysWithinTheByteLimitAndIgnoresLookalikes() {
    String padded = "{\"pad\":\"" + "x".repeat(100) + "\",\"orderId\":\"JW-1\"}";
    assertThat(find(padded, 64)).isNull();
    assertThat(find(padded, 4096)).isEqualTo("JW-1");
    assertThat(find("{\"orderIdentity\":\"no\"}", 4096)).isNull();
    assertThat(find("{\"orderId\":\"unterminated", 4096)).isNull();
    assertThat(find("orderId=JW-1;", 4096)).isNull();
  }
}
