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

  @Test
  void routeTemplatesNeedNoOrderIdAndMatchWholePaths() {
    PathTemplate t = PathTemplate.parseRoute("/admin/faults/{fault}");
    assertThat(t.matches("/admin/faults/mes-db-down")).isTrue();
    assertThat(t.match("/admin/faults/mes-db-down")).isNull();
    assertThat(t.matches("/admin/faults")).isFalse();
    assertThat(t.matches("/admin/faults/a/b")).isFalse();
    assertThat(t.literalSegments()).isEqualTo(2);
    assertThat(PathTemplate.parseRoute("/api/orders/{orderId}").matches("/api/orders/JW-1")).isTrue();
    assertThatThrownBy(() -> PathTemplate.parseRoute("/api/{x")).hasMessageContaining("unbalanced");
  }
}
