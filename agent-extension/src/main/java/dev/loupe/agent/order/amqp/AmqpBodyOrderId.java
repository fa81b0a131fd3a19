package dev.loupe.agent.order.amqp;

import dev.loupe.agent.Guard;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Runs inside the application's class loader: for a message whose context has no order yet, looks for
 * a configured JSON field in the first bytes of its body and makes that the order of the message's work.
 * Opt-in ({@code loupe.order-id.amqp-body-fields}); reads at most {@code amqp-body-max-bytes} bytes and
 * allocates nothing unless the field is there.
 */
public final class AmqpBodyOrderId {

  public static final String FIELDS_HANDOFF = "loupe.internal.order-id.amqp-body-fields";
  public static final String MAX_BYTES_HANDOFF = "loupe.internal.order-id.amqp-body-max-bytes";

  private static volatile byte[][] fieldTokens;
  private static volatile int maxBytes;
  private static volatile Pattern accepted;

  private AmqpBodyOrderId() {}

  /** Makes the order named in the body current; returns the scope to close, or null if nothing changed. */
  private static final Guard guard = Guard.named("order id from message bodies");

  public static Scope enter(byte[] body) {
    try {
      return guard.on() ? start(body) : null;
    } catch (Throwable e) {
      guard.failed(e);
      return null;
    }
  }

  private static Scope start(byte[] body) {
    if (body == null || Baggage.current().getEntryValue("order.id") != null) {
      return null;
    }
    String id = fromBody(body);
    if (id == null) {
      return null;
    }
    Span.current().setAttribute("order.id", id);
    Context current = Context.current();
    return current.with(Baggage.fromContext(current).toBuilder().put("order.id", id).build()).makeCurrent();
  }

  /**
   * The order id in the configured JSON field of {@code body} (searched in its first
   * {@code amqp-body-max-bytes} bytes), if it is one the settings accept; null if there is none, the
   * body is null or no field is configured. Allocates nothing unless the field is there.
   */
  public static String fromBody(byte[] body) {
    byte[][] tokens = body == null ? null : tokens();
    if (tokens == null || tokens.length == 0) {
      return null;
    }
    String id = find(body, tokens, maxBytes);
    return id != null && accepted.matcher(id).matches() ? id : null;
  }

  public static void exit(Scope scope) {
    try {
      if (scope != null) {
        scope.close();
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
  }

  private static byte[][] tokens() {
    byte[][] t = fieldTokens;
    if (t == null) {
      synchronized (AmqpBodyOrderId.class) {
        if (fieldTokens == null) {
          List<String> fields = Arrays.asList(System.getProperty(FIELDS_HANDOFF, "").split(","));
          maxBytes = Integer.getInteger(MAX_BYTES_HANDOFF, 4096);
          accepted = Pattern.compile(System.getProperty("loupe.internal.order-id.pattern", ".+"));
          fieldTokens = fields.stream().filter(f -> !f.trim().isEmpty())
              .map(f -> ("\"" + f.trim() + "\"").getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        }
        t = fieldTokens;
      }
    }
    return t;
  }

  /** The string or number value of the first of {@code tokens} ("name" with quotes) within {@code limit} bytes. */
  static String find(byte[] body, byte[][] tokens, int limit) {
    int end = Math.min(body.length, limit);
    for (byte[] token : tokens) {
      for (int at = indexOf(body, token, 0, end); at >= 0; at = indexOf(body, token, at + 1, end)) {
        int i = skipSpaces(body, at + token.length, end);
        if (i >= end || body[i] != ':') {
          continue;
        }
        i = skipSpaces(body, i + 1, end);
        if (i >= end) {
          return null;
        }
        if (body[i] == '"') {
          int close = i + 1;
          while (close < end && body[close] != '"' && body[close] != '\\') {
            close++;
          }
          return close < end && body[close] == '"' ? new String(body, i + 1, close - i - 1, StandardCharsets.UTF_8) : null;
        }
        int stop = i;
        while (stop < end && (Character.isLetterOrDigit(body[stop]) || body[stop] == '-')) {
          stop++;
        }
        return stop > i ? new String(body, i, stop - i, StandardCharsets.US_ASCII) : null;
      }
    }
    return null;
  }

  private static int skipSpaces(byte[] b, int i, int end) {
    while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
      i++;
    }
    return i;
  }

  private static int indexOf(byte[] b, byte[] token, int from, int end) {
    outer:
    for (int i = from; i <= end - token.length; i++) {
      for (int j = 0; j < token.length; j++) {
        if (b[i + j] != token[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
