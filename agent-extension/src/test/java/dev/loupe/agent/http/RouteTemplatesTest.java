package dev.loupe.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RouteTemplatesTest {

  @Test
  void aPathTakesTheMostSpecificMatchingTemplate() {
    RouteTemplates t = RouteTemplates.parse("/admin/faults/{fault}, /api/orders/{orderId},/api/orders,"
        + "/admin/faults/reset,/api/orders/{orderId}/assign");
    assertThat(t.problems()).isEmpty();
    assertThat(t.route("/api/orders")).isEqualTo("/api/orders");
    assertThat(t.route("/api/orders/JW-000001")).isEqualTo("/api/orders/{orderId}");
    assertThat(t.route("/api/orders/JW-000001/assign")).isEqualTo("/api/orders/{orderId}/assign");
    assertThat(t.route("/admin/faults/reset")).isEqualTo("/admin/faults/reset");
    assertThat(t.route("/admin/faults/mes-db-down")).isEqualTo("/admin/faults/{fault}");
    assertThat(t.route("/api/orders/JW-1/assign/again")).isNull();
    assertThat(t.route("/")).isNull();
    assertThat(t.route(null)).isNull();
  }

  @Test
  void badTemplatesAreReportedByNameAndTheRestStillApply() {
    RouteTemplates t = RouteTemplates.parse("/health,api/orders,/x/{y,/health");
    assertThat(t.route("/health")).isEqualTo("/health");
    assertThat(t.problems()).hasSize(3).allMatch(p -> p.startsWith(RouteTemplates.SETTING + ": "));
    assertThat(t.problems().get(0)).contains("does not start with /");
    assertThat(t.problems().get(1)).contains("unbalanced");
    assertThat(t.problems().get(2)).contains("listed twice");
  }

  @Test
  void noSettingMeansNoTemplates() {
    assertThat(RouteTemplates.parse("").isEmpty()).isTrue();
    assertThat(RouteTemplates.parse(" , ").describe()).isEqualTo("none");
  }
}
