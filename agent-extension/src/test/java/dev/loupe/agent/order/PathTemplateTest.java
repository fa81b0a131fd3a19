package dev.loupe.agent.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PathTemplateTest {

  @Test
  void capturesTheOrderIdSegmentOfAMatchingPath() {
    PathTemplate t = PathTemplate.parse("/api/orders/{orderId}/{action}");
    assertThat(t.match("/api/orders/JW-000042/assign")).isEqualTo("JW-000042");
    assertThat(PathTemplate.parse("/api/orders/{orderId}").match("/api/orders/JW-1")).isEqualTo("JW-1");
  }

  @Test
  void doesNotMatchOtherShapes() {
    PathTemplate t = PathTemplate.parse("/api/orders/{orderId}");
    assertThat(t.match("/api/orders")).isNull();
    assertThat(t.match("/api/orders/")).isNull();
    assertThat(t.match("/api/orders/JW-1/assign")).isNull();
    assertThat(t.match("/api/items/JW-1")).isNull();
    assertThat(t.match("/api/orderz/JW-1")).isNull();
    assertThat(t.match("/api/orders//")).isNull();
    assertThat(t.match(null)).isNull();
    assertThat(t.match("api/orders/JW-1")).isNull();
  }

  @Test
  void badTemplatesAreRefusedSayingWhy() {
    assertThatThrownBy(() -> PathTemplate.parse("/api/orders/{orderId")).hasMessageContaining("unbalanced");
    assertThatThrownBy(() -> PathTemplate.parse("/api/orders")).hasMessageContaining("no {orderId}");
    assertThatThrownBy(() -> PathTemplate.parse("api/{orderId}")).hasMessageContaining("does not start with /");
    assertThatThrownBy(() -> PathTemplate.parse("/a//{orderId}")).hasMessageContaining("empty segment");
    assertThatThrownBy(() -> PathTemplate.parse("/{orderId}/{orderId}")).hasMessageContaining("twice");
  }
}
