package dev.loupe.agent.redact;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {

  private static RedactionSettings settings(Map<String, String> values, Map<String, String> env) {
    return RedactionSettings.parse(values::get, env::get);
  }

  private static final Redactor R = settings(Map.of(), Map.of()).redactor();

  @Test
  void findsEachKindOfPersonalDataAndSecretInFreeText() {
    assertThat(R.redact("order for jane.doe+rings@example.co.uk placed"))
        .isEqualTo("order for [REDACTED:email] placed");
    assertThat(R.redact("call +44 20 7946 0958 or (030) 1234-5678 or 0171 2345678"))
        .isEqualTo("call [REDACTED:phone] or [REDACTED:phone] or [REDACTED:phone]");
    assertThat(R.redact("card 4111 1111 1111 1111 and 5500-0000-0000-0004 and 4012888888881881"))
        .isEqualTo("card [REDACTED:card] and [REDACTED:card] and [REDACTED:card]");
    assertThat(R.redact("Authorization: Bearer abcdef0123456789.xyz")).doesNotContain("abcdef0123456789");
    assertThat(R.redact("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl here"))
        .isEqualTo("token [REDACTED:jwt] here");
    assertThat(R.redact("postgresql://loupe:s3cr3t-pw@db.internal:5432/shop"))
        .isEqualTo("postgresql://[REDACTED:url-credentials]@db.internal:5432/shop");
    assertThat(R.redact("/login?user=x&password=hunter22&next=/"))
        .isEqualTo("/login?user=x&password=[REDACTED:secret]&next=/");
    assertThat(R.redact("-Dspring.datasource.password=topsecret -Xmx1g")).doesNotContain("topsecret").contains("-Xmx1g");
    assertThat(R.redact("{\"apiKey\": \"k-123456\", \"qty\": 2}")).doesNotContain("k-123456").contains("\"qty\": 2");
  }

  @Test
  void leavesOrderIdsAndOrdinaryTechnicalTextAlone() {
    for (String ordinary : List.of("JW-000042", "order JW-123456789 priced", "2026-11-21 20:28:08.123",
        "2026-11-21T20:28:08Z", "127.0.0.1:39015", "10.120.130.140", "version 1.18.12.2", "GET /api/orders/{orderId}",
        "trace 4bf92f3577b34da6a3ce929d0e0e4736", "took 1234 ms", "4111 1111 1111 1112",
        "SELECT * FROM orders WHERE id = ?", "at dev.loupe.sample.mes.PriceCalculator.calculate(PriceCalculator.java:118)")) {
      assertThat(R.redact(ordinary)).as(ordinary).isSameAs(ordinary);
    }
  }

  @Test
  void sensitiveKeysAreHiddenWholeAndUntouchedAttributesAreTheSameInstance() {
    Attributes clean = Attributes.of(AttributeKey.stringKey("order.id"), "JW-000042",
        AttributeKey.longKey("http.response.status_code"), 200L);
    assertThat(R.redact(clean)).isSameAs(clean);

    Attributes dirty = Attributes.builder()
        .put("order.id", "JW-000042")
        .put("http.request.header.authorization", "Basic dXNlcjpwYXNz")
        .put("user.email", "not-even-an-address")
        .put("order.note", "ring for jane@example.com")
        .put(AttributeKey.stringArrayKey("http.request.header.x-contact"), List.of("+49 170 1234567", "ok"))
        .build();
    Attributes out = R.redact(dirty);
    assertThat(out.get(AttributeKey.stringKey("order.id"))).isEqualTo("JW-000042");
    assertThat(out.get(AttributeKey.stringKey("http.request.header.authorization"))).isEqualTo("[REDACTED:value]");
    assertThat(out.get(AttributeKey.stringKey("user.email"))).isEqualTo("[REDACTED:value]");
    assertThat(out.get(AttributeKey.stringKey("order.note"))).isEqualTo("ring for [REDACTED:email]");
    assertThat(out.get(AttributeKey.stringArrayKey("http.request.header.x-contact"))).containsExactly("[REDACTED:phone]", "ok");
  }

  @Test
  void theEndUsersAddressIsHiddenAndTheAddressOfTheServerCalledIsKept() {
    Attributes server = Attributes.builder().put("client.address", "203.0.113.7").put("network.peer.address", "10.0.0.5")
        .put("http.request.header.x-forwarded-for", "203.0.113.7, 10.0.0.5").put("server.address", "shop.jewelry.example")
        .put("url.path", "/api/orders").build();
    Attributes hidden = R.redact(server, SpanKind.SERVER);
    assertThat(hidden.get(AttributeKey.stringKey("client.address"))).isEqualTo("[REDACTED:value]");
    assertThat(hidden.get(AttributeKey.stringKey("network.peer.address"))).isEqualTo("[REDACTED:value]");
    assertThat(hidden.get(AttributeKey.stringKey("http.request.header.x-forwarded-for"))).isEqualTo("[REDACTED:value]");
    assertThat(hidden.get(AttributeKey.stringKey("server.address"))).isEqualTo("shop.jewelry.example");

    // a database, a broker: the peer is a server, and on-call needs its address
    for (SpanKind kind : List.of(SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER)) {
      Attributes peer = Attributes.builder().put("server.address", "db.internal").put("network.peer.address", "10.0.0.9")
          .put("network.peer.port", 5432L).put("net.sock.peer.addr", "10.0.0.9").build();
      assertThat(R.redact(peer, kind)).as(kind.name()).isSameAs(peer);
    }
    // without a kind (a log record, a metric point) whose address it is cannot be told: hidden
    assertThat(R.redact(Attributes.of(AttributeKey.stringKey("network.peer.address"), "10.0.0.9"))
        .get(AttributeKey.stringKey("network.peer.address"))).isEqualTo("[REDACTED:value]");
    // an address in free text is not looked for (it is no one's in particular there)
    assertThat(R.redact("connected to 10.0.0.9:5672")).isEqualTo("connected to 10.0.0.9:5672");
  }

  @Test
  void aPlaceholderIsNoValueButAValueThatLooksLikeOneIsStillHidden() {
    for (String placeholder : List.of("update owners set address=?,city=?,telephone=? where id=?",
        "select c from Customer c where c.lastName = :lastName and city=:city", "where email = $1 and zip = $2",
        "select o from Order o where o.email = ?1", "customerName=%s, phone=%s")) {
      assertThat(R.redact(placeholder)).as(placeholder).isSameAs(placeholder);
    }
    assertThat(R.redact("password=$3cret&city=?London")).isEqualTo("password=[REDACTED:secret]&city=[REDACTED:personal]");
    assertThat(R.redact("customerName=:)")).isEqualTo("customerName=[REDACTED:personal]");
  }

  @Test
  void hashModeJoinsEqualValuesWithoutRevealingThem() {
    Map<String, String> env = Map.of("LOUPE_REDACTION_KEY", "0123456789abcdef-test-key");
    Redactor hashing = settings(Map.of(RedactionSettings.MODE, "hash"), env).redactor();
    String a = hashing.redact("mail jane@example.com");
    String b = hashing.redact("again jane@example.com");
    assertThat(a).as(a).matches("mail \\[REDACTED:email:[0-9a-f]{16}]").doesNotContain("jane");
    assertThat(a.substring(5)).isEqualTo(b.substring(6));
    Redactor otherKey = settings(Map.of(RedactionSettings.MODE, "hash"), Map.of("LOUPE_REDACTION_KEY", "another-key-of-16-bytes")).redactor();
    assertThat(otherKey.redact("mail jane@example.com")).isNotEqualTo(a);
  }

  @Test
  void configuredKeysAndPatternAreHiddenToo() {
    Redactor r = settings(Map.of(RedactionSettings.KEYS, "customer.*", RedactionSettings.PATTERN, "\\bDE\\d{2}(?: ?\\d{4}){4} ?\\d{2}\\b"),
        Map.of()).redactor();
    assertThat(r.redact("customer.address", "12 Ring Road")).isEqualTo("[REDACTED:value]");
    assertThat(r.redact("pay to DE89 3704 0044 0532 0130 00 today")).isEqualTo("pay to [REDACTED:pattern] today");
  }

  @Test
  void aBadSettingClosesTheGateSayingWhich() {
    RedactionSettings bad = settings(Map.of(RedactionSettings.PATTERN, "([unclosed"), Map.of());
    assertThat(bad.closed()).isTrue();
    assertThat(bad.redactor()).isNull();
    assertThat(bad.problems()).singleElement().asString().startsWith(RedactionSettings.PATTERN + ": not a regular expression");

    assertThat(settings(Map.of(RedactionSettings.MODE, "hash"), Map.of()).problems()).singleElement().asString()
        .contains("LOUPE_REDACTION_KEY").contains("not set");
    assertThat(settings(Map.of(RedactionSettings.DETECTORS, "email,iban"), Map.of()).problems()).singleElement().asString()
        .contains("unknown detector 'iban'");
    assertThat(settings(Map.of(RedactionSettings.MODE, "scramble"), Map.of()).closed()).isTrue();
    assertThat(settings(Map.of(RedactionSettings.ENABLED, "maybe"), Map.of()).closed()).isTrue();
    assertThat(settings(Map.of(RedactionSettings.KEYS, "user email"), Map.of()).closed()).isTrue();

    RedactionSettings off = settings(Map.of(RedactionSettings.ENABLED, "false"), Map.of());
    assertThat(off.closed()).isFalse();
    assertThat(off.redactor()).isNull();
  }

  @Test
  void onlyTheChosenDetectorsRun() {
    Redactor emailOnly = settings(Map.of(RedactionSettings.DETECTORS, "email"), Map.of()).redactor();
    assertThat(emailOnly.redact("jane@example.com +44 20 7946 0958")).isEqualTo("[REDACTED:email] +44 20 7946 0958");
  }

  @Test
  void personalFieldsAreHiddenByNameEvenWhereNoShapeGivesThemAway() {
    assertThat(R.redact("status=PRICED&customerName=Alice+Moreau&address=12+Ring+Road%2C+London&page=0"))
        .isEqualTo("status=PRICED&customerName=[REDACTED:personal]&address=[REDACTED:personal]&page=0");
    assertThat(R.redact("{\"shippingAddress\": \"12 Ring Road\", \"qty\": 1}"))
        .isEqualTo("{\"shippingAddress\": [REDACTED:personal], \"qty\": 1}");
    // dotted technical keys are not a person's details
    String technical = "server.address=db.internal thread.name=pool-1 hostname=mes-1";
    assertThat(R.redact(technical)).isSameAs(technical);
  }

  @Test
  void percentEncodedValuesAreFoundToo() {
    assertThat(R.redact("q=alice.moreau%40example.com&n=1")).isEqualTo("q=[REDACTED:email]&n=1");
    assertThat(R.redact("email=a%40b.com&q=alice.moreau%40example.com"))
        .isEqualTo("email=[REDACTED:personal]&q=[REDACTED:email]");
    String plain = "status=PRICED&page=0%201";
    assertThat(R.redact(plain)).isSameAs(plain);
  }

  @Test
  void redactedTextIsLeftAsItIs() {
    Redactor hashing = settings(Map.of(RedactionSettings.MODE, "hash"), Map.of("LOUPE_REDACTION_KEY", "0123456789abcdef")).redactor();
    for (Redactor r : List.of(R, hashing)) {
      for (String text : List.of("mail jane@example.com", "password=hunter22 token: abc", "customerEmail=a%40b.com",
          "call +44 20 7946 0958", "Bearer abcdefghijklmnop", "card 4111 1111 1111 1111")) {
        String once = r.redact(text);
        assertThat(once).isNotEqualTo(text);
        assertThat(r.redact(once)).as(once).isSameAs(once);
      }
    }
  }
}
