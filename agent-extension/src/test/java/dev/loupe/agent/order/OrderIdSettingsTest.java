package dev.loupe.agent.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrderIdSettingsTest {

  private static OrderIdSettings of(Map<String, String> properties) {
    return OrderIdSettings.from(DefaultConfigProperties.createFromMap(properties));
  }

  @Test
  void defaultsCoverTheOrderPathsHeadersAndQuery() {
    OrderIdSettings s = of(Map.of());
    assertThat(s.enabled()).isTrue();
    assertThat(s.pathTemplates()).extracting(Object::toString).contains("/api/orders/{orderId}");
    assertThat(s.headers()).contains("x-order-id");
    assertThat(s.queryParameters()).containsExactly("orderId");
    assertThat(s.problems()).isEmpty();
  }

  @Test
  void eachBadEntryIsReportedWithItsSettingAndTheGoodOnesStay() {
    OrderIdSettings s = of(Map.of(
        "loupe.order-id.path-templates", "/api/orders/{orderId,/v2/orders/{orderId}",
        "loupe.order-id.methods", "com.example.Desk#register:arg0.id,nonsense",
        "loupe.order-id.pattern", "[unclosed",
        "loupe.order-id.enabled", "maybe"));
    assertThat(s.pathTemplates()).extracting(Object::toString).containsExactly("/v2/orders/{orderId}");
    assertThat(s.methods()).extracting(Object::toString).containsExactly("com.example.Desk#register:arg0.id");
    assertThat(s.problems()).hasSize(4)
        .anyMatch(p -> p.startsWith("loupe.order-id.path-templates: '/api/orders/{orderId'"))
        .anyMatch(p -> p.startsWith("loupe.order-id.methods: 'nonsense'"))
        .anyMatch(p -> p.startsWith("loupe.order-id.pattern: '[unclosed'"))
        .anyMatch(p -> p.startsWith("loupe.order-id.enabled: 'maybe'"));
    assertThat(s.enabled()).isTrue();
    assertThat(s.accepts("JW-000001")).isTrue();
  }

  @Test
  void onlyBoundedIdLikeValuesAreAccepted() {
    OrderIdSettings s = of(Map.of());
    assertThat(s.accepts("JW-000001")).isTrue();
    assertThat(s.accepts("a@b.example")).isFalse();
    assertThat(s.accepts("x".repeat(65))).isFalse();
    assertThat(s.accepts("")).isFalse();
    assertThat(s.accepts(null)).isFalse();
  }

  @Test
  void legacyMethodSpecsNameTheirSource() {
    LegacyMethod arg = LegacyMethod.parse("dev.loupe.sample.crm.SellerDesk#register:arg0.id");
    assertThat(arg.argument()).isZero();
    assertThat(arg.path()).containsExactly("id");
    LegacyMethod ret = LegacyMethod.parse("a.b.Repo#nextOrderId:return");
    assertThat(ret.fromReturnValue()).isTrue();
    assertThat(LegacyMethod.parseHandoff(arg + ";" + ret)).containsExactly(arg, ret);
    assertThatThrownBy(() -> LegacyMethod.parse("a.b.Repo#find:param0")).hasMessageContaining("argN or return");
  }
}
