package dev.loupe.agent.redact;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanKind;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Finds personal data and secrets in telemetry values and hides them: a value under a sensitive key
 * entirely, anything a detector or the configured pattern finds in free text in place. Hidden text
 * becomes {@code [REDACTED:kind]}, or in hash mode {@code [REDACTED:kind:hmac]}, a keyed HMAC-SHA256 that joins
 * records about the same value without revealing it.
 *
 * <p>Values with nothing to hide are returned as the same instance, so the common case allocates
 * nothing. Thread-safe.
 */
public final class Redactor {

  private final List<Detector> detectors;
  private final Pattern custom;
  private final KeyMatcher keys;
  /** keys naming the other end of a connection: hidden unless the span is a client, producer or consumer */
  private final KeyMatcher peerKeys;
  private final byte[] hashKey;
  private final ThreadLocal<Mac> macs;

  Redactor(List<Detector> detectors, Pattern custom, KeyMatcher keys, KeyMatcher peerKeys, byte[] hashKey) {
    this.detectors = Collections.unmodifiableList(new ArrayList<>(detectors));
    this.custom = custom;
    this.keys = keys;
    this.peerKeys = peerKeys;
    this.hashKey = hashKey;
    this.macs = hashKey == null ? null : ThreadLocal.withInitial(this::newMac);
  }

  /** A value under {@code key}: hidden whole if the key is sensitive, else scanned. */
  public String redact(String key, String value) {
    if (value == null || value.isEmpty()) {
      return value;
    }
    if (key != null && keys.sensitive(key)) {
      return hide("value", value);
    }
    return redact(value);
  }

  /**
   * Free text, scanned by every detector and the configured pattern. Text with percent-escapes (a query
   * string, a form) is also scanned decoded; if that finds something, the decoded, redacted text is what
   * is exported.
   */
  public String redact(String text) {
    if (text == null || text.length() < 5) {
      return text;
    }
    String out = scan(text);
    if (out.indexOf('%') >= 0) {
      String decoded = decode(out);
      if (decoded != null) {
        String redacted = scan(decoded);
        if (redacted != decoded) {
          return redacted;
        }
      }
    }
    return out;
  }

  /** {@code text} with %XX escapes and + decoded as in a form; null if there is nothing to decode. */
  static String decode(String text) {
    try {
      String decoded = java.net.URLDecoder.decode(text, "UTF-8");
      return decoded.equals(text) ? null : decoded;
    } catch (IllegalArgumentException | java.io.UnsupportedEncodingException e) {
      return null; // not well-formed escapes: scanned as it is
    }
  }

  private String scan(String text) {
    String out = text;
    Detector.Shape shape = Detector.Shape.of(text);
    for (Detector d : detectors) {
      // the original text's shape: what a detector puts in ([REDACTED:...]) is nothing for a later one to find
      if (d.mayMatch(out, shape)) {
        out = replace(out, d);
      }
    }
    if (custom != null) {
      Matcher m = custom.matcher(out);
      if (m.find()) {
        StringBuffer b = new StringBuffer(out.length());
        do {
          m.appendReplacement(b, Matcher.quoteReplacement(hide("pattern", m.group())));
        } while (m.find());
        m.appendTail(b);
        out = b.toString();
      }
    }
    return out;
  }

  private String replace(String text, Detector d) {
    Detector.Candidates found = d.candidates(text);
    StringBuilder b = null;
    int last = 0;
    while (found.next()) {
      int start = found.start();
      int end = found.end();
      if (start < last) {
        continue; // inside what was hidden already
      }
      String secret = text.substring(start, end);
      if (secret.startsWith("[REDACTED:") || !d.accepts(secret)) {
        continue;
      }
      if (b == null) {
        b = new StringBuilder(text.length() + 16);
      }
      b.append(text, last, start).append(hide(d.name, secret));
      last = end;
    }
    if (b == null) {
      return text;
    }
    return b.append(text, last, text.length()).toString();
  }

  /**
   * Attributes of a log record, metric point, event, link or resource, with every string value redacted;
   * the same instance when nothing changes. Keys naming the other end of a connection are hidden: without
   * a span kind, whose address it is cannot be told.
   */
  public Attributes redact(Attributes attributes) {
    return redact(attributes, false);
  }

  /**
   * A span's attributes, redacted as {@link #redact(Attributes)}, except that on a client, producer or
   * consumer span the other end's address ({@code network.peer.address}, ...) is the server's — the
   * database's, the broker's — and is kept; on a server span it is the end user's and is hidden.
   */
  public Attributes redact(Attributes attributes, SpanKind kind) {
    return redact(attributes, kind == SpanKind.CLIENT || kind == SpanKind.PRODUCER || kind == SpanKind.CONSUMER);
  }

  private Attributes redact(Attributes attributes, boolean peerIsServer) {
    if (attributes == null || attributes.isEmpty()) {
      return attributes;
    }
    AttributesBuilder[] builder = {null};
    attributes.forEach((key, value) -> {
      if (builder[0] == null && redactValue(key, value, peerIsServer) != value) {
        builder[0] = Attributes.builder();
      }
    });
    if (builder[0] == null) {
      return attributes;
    }
    AttributesBuilder b = builder[0];
    for (Map.Entry<AttributeKey<?>, Object> e : attributes.asMap().entrySet()) {
      put(b, e.getKey(), redactValue(e.getKey(), e.getValue(), peerIsServer));
    }
    return b.build();
  }

  @SuppressWarnings("unchecked")
  private Object redactValue(AttributeKey<?> key, Object value, boolean peerIsServer) {
    if (!peerIsServer && peerKeys.sensitive(key.getKey())) {
      return hide("value", String.valueOf(value));
    }
    if (key.getType() == AttributeType.STRING) {
      return redact(key.getKey(), (String) value);
    }
    if (key.getType() == AttributeType.STRING_ARRAY) {
      List<String> values = (List<String>) value;
      List<String> out = null;
      for (int i = 0; i < values.size(); i++) {
        String r = redact(key.getKey(), values.get(i));
        if (r != values.get(i) && out == null) {
          out = new ArrayList<>(values);
        }
        if (out != null) {
          out.set(i, r);
        }
      }
      return out == null ? value : out;
    }
    if (keys.sensitive(key.getKey())) {
      // a number or flag under a sensitive key says nothing by itself, but is still not exported
      return hide("value", String.valueOf(value));
    }
    return value;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void put(AttributesBuilder b, AttributeKey<?> key, Object value) {
    if (value instanceof String && key.getType() != AttributeType.STRING) {
      b.put(AttributeKey.stringKey(key.getKey()), (String) value);
    } else {
      b.put((AttributeKey) key, value);
    }
  }

  /** What replaces a hidden value: its kind, and in hash mode its keyed hash. */
  String hide(String kind, String value) {
    if (macs == null) {
      return "[REDACTED:" + kind + "]";
    }
    byte[] digest = macs.get().doFinal(value.getBytes(StandardCharsets.UTF_8));
    StringBuilder b = new StringBuilder(kind.length() + 28).append("[REDACTED:").append(kind).append(':');
    for (int i = 0; i < 8; i++) {
      b.append(Character.forDigit((digest[i] >> 4) & 0xf, 16)).append(Character.forDigit(digest[i] & 0xf, 16));
    }
    return b.append(']').toString();
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(hashKey, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
