package dev.loupe.reconciler;

/**
 * The order both queries sort order ids in: {@code COLLATE "C"}, PostgreSQL's byte order of UTF-8,
 * which is the order of Unicode code points. Both databases must agree on it for the merge join, and
 * their default collations may differ; Java's {@link String#compareTo} differs from it for characters
 * outside the Basic Multilingual Plane, so the code points are compared here.
 */
final class OrderIds {

  private OrderIds() {}

  /** Negative, zero or positive as {@code a} sorts before, with or after {@code b}. */
  static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
