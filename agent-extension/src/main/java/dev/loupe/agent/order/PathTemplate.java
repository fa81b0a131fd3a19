package dev.loupe.agent.order;

import java.util.ArrayList;
import java.util.List;

/**
 * A request path template such as {@code /api/orders/{orderId}/assign}: literal segments must match,
 * {@code {orderId}} captures the order id, any other {@code {name}} matches one segment. Matching walks
 * the path once and allocates only the captured id. Order-id templates must have {@code {orderId}};
 * route templates ({@link #parseRoute}) need not.
 */
public final class PathTemplate {

  static final String ORDER_ID = "{orderId}";

  private final String text;
  private final String[] segments;
  private final int orderIdSegment;

  private PathTemplate(String text, String[] segments, int orderIdSegment) {
    this.text = text;
    this.segments = segments;
    this.orderIdSegment = orderIdSegment;
  }

  /**
   * @throws IllegalArgumentException saying what is wrong with the template
   */
  public static PathTemplate parse(String template) {
    return parse(template, true);
  }

  /**
   * A route template, which need not name the order id.
   *
   * @throws IllegalArgumentException saying what is wrong with the template
   */
  public static PathTemplate parseRoute(String template) {
    return parse(template, false);
  }

  private static PathTemplate parse(String template, boolean needsOrderId) {
    String t = template.trim();
    if (!t.startsWith("/")) {
      throw new IllegalArgumentException("'" + t + "' does not start with /");
    }
    String[] parts = t.substring(1).split("/", -1);
    List<String> segments = new ArrayList<>();
    int orderId = -1;
    for (String part : parts) {
      if (part.isEmpty()) {
        throw new IllegalArgumentException("'" + t + "' has an empty segment");
      }
      boolean opens = part.startsWith("{");
      boolean closes = part.endsWith("}");
      if (opens != closes || part.indexOf('{', 1) >= 0 || part.indexOf('}') >= 0 && part.indexOf('}') != part.length() - 1) {
        throw new IllegalArgumentException("'" + t + "' has an unbalanced placeholder in segment '" + part + "'");
      }
      if (part.equals(ORDER_ID)) {
        if (orderId >= 0) {
          throw new IllegalArgumentException("'" + t + "' has {orderId} twice");
        }
        orderId = segments.size();
      }
      segments.add(part);
    }
    if (needsOrderId && orderId < 0) {
      throw new IllegalArgumentException("'" + t + "' has no {orderId} segment");
    }
    return new PathTemplate(t, segments.toArray(new String[0]), orderId);
  }

  /** The order id in {@code path}, or null if the path does not have this template's shape. */
  public String match(String path) {
    String captured = walk(path);
    return captured == MATCHED ? null : captured;
  }

  /** Whether {@code path} has this template's shape. */
  public boolean matches(String path) {
    return walk(path) != null;
  }

  /** How many segments are literal: the more, the more specific the template. */
  public int literalSegments() {
    int n = 0;
    for (String s : segments) {
      if (s.charAt(0) != '{') {
        n++;
      }
    }
    return n;
  }

  /** Marks a match that captured nothing; compared by identity. */
  @SuppressWarnings("StringOperationCanBeSimplified")
  private static final String MATCHED = new String("");

  /** The captured order id, {@link #MATCHED} if the path matches without one, or null. */
  private String walk(String path) {
    if (path == null || path.length() < 2 || path.charAt(0) != '/') {
      return null;
    }
    int start = 1;
    String captured = null;
    for (int i = 0; i < segments.length; i++) {
      if (start > path.length()) {
        return null;
      }
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      int length = end - start;
      if (length == 0) {
        return null;
      }
      String expected = segments[i];
      if (i == orderIdSegment) {
        captured = path.substring(start, end);
      } else if (expected.charAt(0) != '{'
          && (length != expected.length() || !path.regionMatches(start, expected, 0, length))) {
        return null;
      }
      start = end + 1;
    }
    if (start != path.length() + 1) {
      return null;
    }
    return captured != null ? captured : MATCHED;
  }

  @Override
  public String toString() {
    return text;
  }
}
