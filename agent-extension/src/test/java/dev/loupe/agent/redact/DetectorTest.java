package dev.loupe.agent.redact;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The detectors' shortcuts, each held to its specification on many generated texts. The named-field
 * detectors find fields by scanning from each separator, not with a pattern, because a pattern that
 * starts at every position of every exported value cost hundreds of nanoseconds per character; the
 * patterns below are their specification and both must find the same values. And a text's
 * {@link Detector.Shape} may let a detector skip it only where it would have found nothing.
 */
class DetectorTest {

  static final Pattern SECRET = Pattern.compile(
      "(?i)([\"']?(?<![\\w.:-])[\\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|authorization|credentials?"
          + "|signature|x-amz-security-token|session[_-]?id)[\"']?\\s*[=:]\\s*)(?<value>\"[^\"]*\"|'[^']*'|[^\\s&;,\"'}]+)");

  /** A bare {@code name} is a key only in quotes (JSON) or as a query or form parameter ({@code name=} after ?, & or at the start). */
  static final Pattern PERSONAL = Pattern.compile(
      "(?i)(?:[\"']?(?<![\\w.:-])(?:[\\w-]*(?:e-?mail|phone|mobile|fax|street|address|postcode|post_code|zip_?code"
          + "|birth|dob|cvc|cvv|iban|card[_-]?(?:number|no|num))|(?:customer|first|last|full|given|family|sur|user)[_-]?name"
          + "|tel|zip|city|card)[\"']?\\s*[=:]|(?<q>[\"'])[_-]?name\\k<q>\\s*[=:]|(?<![^?&])[_-]?name[\"']?\\s*=)\\s*"
          + "(?<value>\"[^\"]*\"|'[^']*'|[^\\s&;,\"'}]+)");

  private static final String[] PIECES = {"password", "Passwd", "pwd", "secret", "TOKEN", "api_key", "api-key", "apikey",
      "authorization", "credential", "credentials", "signature", "x-amz-security-token", "session_id", "sessionId",
      "email", "e-mail", "customerEmail", "phone", "mobile", "fax", "street", "address", "postcode", "zip_code", "zipcode",
      "birth", "dob", "cvc", "iban", "card", "card_number", "cardNo", "name", "customer_name", "lastName", "_name",
      "hostname", "tel", "zip", "city", "server.", "db.", "user", "x", "9", "order", "=", "=", ":", ":", " ", "  ", "\t",
      "\"", "'", "&", ";", ",", "}", "{", ".", "-", "_", "/", "?", "://", "@", "abc", "JW-000042", "[REDACTED:email]"};

  @Test
  void findTheSameValuesAsTheirPatterns() {
    Random random = new Random(20261121);
    int withFields = 0;
    for (int i = 0; i < 40_000; i++) {
      String text = text(random, PIECES, 12);
      List<String> expectedSecret = spans(SECRET, text);
      List<String> expectedPersonal = spans(PERSONAL, text);
      assertThat(spans(Detector.SECRET_PARAMETERS, text)).as("secret fields in <%s>", text).isEqualTo(expectedSecret);
      assertThat(spans(Detector.PERSONAL_PARAMETERS, text)).as("personal fields in <%s>", text).isEqualTo(expectedPersonal);
      if (!expectedSecret.isEmpty() || !expectedPersonal.isEmpty()) {
        withFields++;
      }
    }
    assertThat(withFields).as("generated texts that have fields").isGreaterThan(5_000);
  }

  @Test
  void knownShapes() {
    for (String text : List.of("/login?user=x&password=hunter22&next=/", "{\"apiKey\": \"k-1\", \"qty\": 2}",
        "-Dspring.datasource.password=topsecret -Xmx1g", "status=PRICED&customerName=Alice+Moreau&address=12+Ring",
        "{\"shippingAddress\": \"12 Ring Road\"}", "server.address=db.internal hostname=mes-1",
        "http://user:password=x@host", "password = 'a b' token:\"unterminated", "email=", "email= &x")) {
      assertThat(spans(Detector.SECRET_PARAMETERS, text)).as(text).isEqualTo(spans(SECRET, text));
      assertThat(spans(Detector.PERSONAL_PARAMETERS, text)).as(text).isEqualTo(spans(PERSONAL, text));
    }
  }

  private static final String[] SHAPES = {"0", "1", "4111", "2026", "7946", "00", " ", " ", "-", "-", ".", "(", ")", "/",
      "+", "+44", ":", "=", "@", "a", "x", "example.com", "jane", "eyJhbGciOiJIUzI1NiJ9", ".", "://", "user:pw@",
      "Bearer ", "basic ", "token", "email", "&", "JW-000042", "\t"};

  @Test
  void aTextsShapeLetsADetectorSkipItOnlyWhereItWouldFindNothing() {
    Random random = new Random(1121);
    int found = 0;
    for (int i = 0; i < 100_000; i++) {
      String text = text(random, SHAPES, 24);
      Detector.Shape shape = Detector.Shape.of(text);
      for (Detector d : Detector.values()) {
        Detector.Candidates c = d.candidates(text);
        while (c.next()) {
          if (d.accepts(text.substring(c.start(), c.end()))) {
            found++;
            assertThat(d.mayMatch(text, shape)).as("%s finds something in <%s>", d, text).isTrue();
            break;
          }
        }
      }
    }
    assertThat(found).as("texts with something to find").isGreaterThan(20_000);
  }

  /** Up to {@code most} pieces, drawn at random. */
  private static String text(Random random, String[] pieces, int most) {
    StringBuilder b = new StringBuilder();
    for (int p = 1 + random.nextInt(most); p > 0; p--) {
      b.append(pieces[random.nextInt(pieces.length)]);
    }
    return b.toString();
  }

  private static List<String> spans(Pattern pattern, String text) {
    List<String> out = new ArrayList<>();
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      out.add(m.start("value") + "-" + m.end("value"));
    }
    return out;
  }

  private static List<String> spans(Detector detector, String text) {
    List<String> out = new ArrayList<>();
    Detector.Candidates c = detector.candidates(text);
    while (c.next()) {
      out.add(c.start() + "-" + c.end());
    }
    return out;
  }
}
