package dev.loupe.agent.redact;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in detectors of personal data and secrets in free text. Each finds candidates — with a
 * pattern, or for named fields by their key — and may check them further (a card number must pass the
 * Luhn check); the secret part of a candidate is what gets hidden, and the detector's name becomes the
 * replacement ({@code [REDACTED:email]}).
 *
 * <p>Every detector first asks {@link #mayMatch} about the text's {@link Shape}, which costs one pass over
 * it for all detectors together: text without an {@code @} has no email address, text with fewer than 9
 * digits no phone number. Most exported values (span names, SQL, class names) have nothing to hide, and
 * for them no pattern runs at all.
 */
enum Detector {

  /** {@code scheme://user:password@host}: the user and the password. */
  URL_CREDENTIALS("url-credentials", "(?i)\\b[a-z][a-z0-9+.-]{0,20}://[^\\s/?#@:]+:[^\\s/?#@]*@") {
    @Override
    boolean mayMatch(String text, Shape shape) {
      return shape.at && text.contains("://");
    }

    @Override
    int secretStart(Matcher m, String text) {
      return text.indexOf("://", m.start()) + 3;
    }

    @Override
    int secretEnd(Matcher m, String text) {
      return m.end() - 1; // the @ stays
    }
  },

  EMAIL("email", "[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63})*\\.[A-Za-z]{2,24}") {
    @Override
    boolean mayMatch(String text, Shape shape) {
      return shape.at;
    }
  },

  /** Before the generic secret parameters, so the token is named as such. */
  JWT("jwt", "\\beyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*") {
    @Override
    boolean mayMatch(String text, Shape shape) {
      return text.contains("eyJ");
    }
  },

  BEARER("bearer", "(?i)\\b(?:bearer|basic)\\s+[A-Za-z0-9._~+/-]{8,}=*") {
    @Override
    boolean mayMatch(String text, Shape shape) {
      return containsIgnoreCase(text, "bearer") || containsIgnoreCase(text, "basic");
    }

    @Override
    int secretStart(Matcher m, String text) {
      int i = m.start();
      while (!Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      while (Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      return i; // the scheme stays
    }
  },

  /**
   * 13 to 19 digits, spaced or dashed in any grouping, that begin as a payment card does and pass the Luhn
   * check. A card's first digit (ISO/IEC 7812's major industry identifier) is 2 to 6 for the payment
   * networks — Mastercard 2 and 5, American Express, Diners and JCB 3, Visa 4, Discover, Maestro and
   * UnionPay 6 — so timestamps since the epoch (1...), which a tenth of the time pass the Luhn check, are not cards.
   */
  CARD("card", "(?<![\\w.-])\\d(?:[ -]?\\d){12,18}(?![\\w-])") {
    @Override
    boolean mayMatch(String text, Shape shape) {
      return shape.cardDigits >= 13;
    }

    @Override
    boolean accepts(String match) {
      char first = match.charAt(0);
      return first >= '2' && first <= '6' && luhn(match);
    }
  },

  /**
   * 9 to 15 digits written as a phone number: an optional {@code +} or {@code 00} and groups split by
   * spaces, dots, dashes, slashes or brackets. Dates, times, versions and IP addresses are not phones,
   * nor is an unbroken run of digits that begins with neither {@code +} nor {@code 0} (a trunk or
   * international prefix): that is a number — a duration, an epoch time, an id. A phone number written
   * that way under a key that names it ({@code "telephone":"6085551023"}) is hidden by {@link #PERSONAL_PARAMETERS}.
   */
  PHONE("phone", "(?<![\\w.:/+-])(?:\\+|\\(\\+?)?\\d[\\d ().\\-/]{6,22}\\d(?![\\w:]|\\.\\d)") {
    @Override
    boolean mayMatch(String text, Shape shape) {
      return shape.phoneDigits >= 9;
    }

    @Override
    boolean accepts(String match) {
      int digits = 0;
      boolean dotsOnly = true;
      boolean separated = false;
      for (int i = 0; i < match.length(); i++) {
        char c = match.charAt(i);
        if (c >= '0' && c <= '9') {
          digits++;
        } else if (c != '+') {
          separated = true;
          if (c != '.') {
            dotsOnly = false;
          }
        }
      }
      if (digits < 9 || digits > 15) {
        return false;
      }
      if (separated && dotsOnly) {
        return false; // a version or an IP address
      }
      if (!separated && match.charAt(0) != '+' && match.charAt(0) != '0') {
        return false;
      }
      // an ISO date (2026-11-21 ...) is not a phone number
      return !match.matches("\\d{4}-\\d{2}-\\d{2}.*");
    }
  },

  /**
   * A secret-named parameter in a query string, a form, a command line or JSON:
   * {@code password=...}, {@code "token": "..."}, {@code -Dapp.db.password=...}: the key (letters,
   * digits, {@code _ . -}) ends with one of these words.
   */
  SECRET_PARAMETERS("secret", Arrays.asList("password", "passwd", "pwd", "secret", "token", "apikey", "api_key", "api-key",
      "authorization", "credential", "credentials", "signature", "sessionid", "session_id", "session-id"), true),

  /**
   * A parameter or field named for a person's details, in a query string, a form or JSON:
   * {@code email=...}, {@code customerPhone=...}, {@code "address": "..."}. Catches what no pattern can
   * recognise by shape, such as names and street addresses. The key ends with one of these words, or is
   * one of the short names below; a dotted key ({@code server.address}) is a technical one and is left alone.
   */
  PERSONAL_PARAMETERS("personal", Arrays.asList("email", "e-mail", "phone", "mobile", "fax", "street", "address", "postcode",
      "post_code", "zipcode", "zip_code", "birth", "dob", "cvc", "cvv", "iban", "cardnumber", "card_number",
      "card-number", "cardno", "card_no", "card-no", "cardnum", "card_num", "card-num"), false);

  final String name;
  /** The pattern of candidates; null for a detector of named fields. */
  private final Pattern pattern;
  /**
   * For a detector of named fields: the words a key ends with (lower case), by their last character, so
   * a key is compared only with the few that can match; and whether a dotted key counts.
   */
  private final String[][] keyWords;
  private final boolean dottedKeys;

  Detector(String name, String regex) {
    this.name = name;
    this.pattern = Pattern.compile(regex);
    this.keyWords = null;
    this.dottedKeys = false;
  }

  Detector(String name, List<String> keyWords, boolean dottedKeys) {
    this.name = name;
    this.pattern = null;
    this.keyWords = new String[128][];
    for (String word : keyWords) {
      char last = word.charAt(word.length() - 1);
      String[] same = this.keyWords[last];
      same = same == null ? new String[1] : java.util.Arrays.copyOf(same, same.length + 1);
      same[same.length - 1] = word;
      this.keyWords[last] = same;
    }
    this.dottedKeys = dottedKeys;
  }

  /** False only if no candidate can be in text of this shape. */
  boolean mayMatch(String text, Shape shape) {
    return shape.separator;
  }

  /**
   * A further check of a candidate's secret part. A named field's value that is a placeholder — a bind
   * parameter of SQL or JPQL ({@code ?}, {@code ?1}, {@code :city}, {@code $1}) or a format argument
   * ({@code %s}) — holds nothing yet: {@code update owners set address=?,city=?} names columns, not a
   * customer.
   */
  boolean accepts(String secret) {
    return pattern != null || !isPlaceholder(secret);
  }

  static boolean isPlaceholder(String value) {
    int n = value.length();
    char first = value.charAt(0);
    if (first == '?' || first == '$') {
      for (int i = 1; i < n; i++) {
        if (value.charAt(i) < '0' || value.charAt(i) > '9') {
          return false;
        }
      }
      return first == '?' || n > 1;
    }
    if (first == ':') {
      if (n < 2 || !Character.isJavaIdentifierStart(value.charAt(1))) {
        return false;
      }
      for (int i = 2; i < n; i++) {
        if (!Character.isJavaIdentifierPart(value.charAt(i))) {
          return false;
        }
      }
      return true;
    }
    return first == '%' && n == 2 && Character.isLetter(value.charAt(1));
  }

  int secretStart(Matcher m, String text) {
    return m.start();
  }

  int secretEnd(Matcher m, String text) {
    return m.end();
  }

  /** The candidates in {@code text}, left to right. */
  Candidates candidates(String text) {
    return pattern != null ? new Matches(this, text) : new Fields(this, text);
  }

  /** One pass over a text, enough for every detector's {@link #mayMatch}. */
  static final class Shape {
    /** the most digits in one run of digits with single spaces or dashes between them (a card number's shape) */
    final int cardDigits;
    /** the most digits in one run of digits, spaces, brackets, dots, dashes and slashes (a phone number's shape) */
    final int phoneDigits;
    final boolean at;
    /** an {@code =} or {@code :}, which every named field has */
    final boolean separator;

    private Shape(int cardDigits, int phoneDigits, boolean at, boolean separator) {
      this.cardDigits = cardDigits;
      this.phoneDigits = phoneDigits;
      this.at = at;
      this.separator = separator;
    }

    static Shape of(String text) {
      int card = 0;
      int maxCard = 0;
      boolean afterSeparator = false;
      int phone = 0;
      int maxPhone = 0;
      boolean at = false;
      boolean separator = false;
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c >= '0' && c <= '9') {
          card++;
          phone++;
          afterSeparator = false;
          maxCard = Math.max(maxCard, card);
          maxPhone = Math.max(maxPhone, phone);
          continue;
        }
        if (c == ' ' || c == '-') {
          if (afterSeparator) {
            card = 0;
          }
          afterSeparator = true;
        } else {
          card = 0;
          afterSeparator = false;
        }
        if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.' && c != '/') {
          phone = 0;
        }
        if (c == '@') {
          at = true;
        } else if (c == '=' || c == ':') {
          separator = true;
        }
      }
      return new Shape(maxCard, maxPhone, at, separator);
    }
  }

  /** The secret parts of a detector's candidates, found one by one: [{@link #start}, {@link #end}). */
  abstract static class Candidates {
    abstract boolean next();

    abstract int start();

    abstract int end();
  }

  private static final class Matches extends Candidates {
    private final Detector detector;
    private final String text;
    private final Matcher m;

    Matches(Detector detector, String text) {
      this.detector = detector;
      this.text = text;
      this.m = detector.pattern.matcher(text);
    }

    @Override
    boolean next() {
      return m.find();
    }

    @Override
    int start() {
      return detector.secretStart(m, text);
    }

    @Override
    int end() {
      return detector.secretEnd(m, text);
    }
  }

  /**
   * Named fields: {@code key=value}, {@code key: value}, {@code "key": "value"}. Found from each
   * {@code =} or {@code :}: the key is the run of letters, digits, {@code _ . -} before it (a quote and
   * spaces may come between; a key right after a {@code :} is part of something else, such as a URL),
   * the value is a quoted string or what follows up to a space, {@code & ; ,}, a quote or {@code }}.
   */
  private static final class Fields extends Candidates {
    private final Detector detector;
    private final String text;
    private int from;
    private int floor;
    private int start;
    private int end;

    Fields(Detector detector, String text) {
      this.detector = detector;
      this.text = text;
    }

    @Override
    boolean next() {
      int n = text.length();
      for (int sep = from; sep < n; sep++) {
        char c = text.charAt(sep);
        if (c != '=' && c != ':') {
          continue;
        }
        int keyEnd = sep;
        while (keyEnd > 0 && isSpace(text.charAt(keyEnd - 1))) {
          keyEnd--;
        }
        boolean closeQuote = keyEnd > 0 && isQuote(text.charAt(keyEnd - 1));
        if (closeQuote) {
          keyEnd--;
        }
        int keyStart = keyEnd;
        while (keyStart > 0 && isKeyChar(text.charAt(keyStart - 1))) {
          keyStart--;
        }
        boolean quoted = closeQuote && keyStart > 0 && text.charAt(keyStart - 1) == text.charAt(keyEnd);
        // a key must begin after the previous field's value, and not right after a ':'
        if (keyStart == keyEnd || keyStart < floor || (keyStart > 0 && text.charAt(keyStart - 1) == ':')
            || !detector.isKey(text, keyStart, keyEnd, c == '=', quoted)) {
          continue;
        }
        int value = sep + 1;
        while (value < n && isSpace(text.charAt(value))) {
          value++;
        }
        int valueEnd = valueEnd(value);
        if (valueEnd < 0) {
          continue;
        }
        start = value;
        end = valueEnd;
        from = valueEnd;
        floor = valueEnd;
        return true;
      }
      from = n;
      return false;
    }

    /** The end of the value at {@code i}, or -1 if there is none. */
    private int valueEnd(int i) {
      int n = text.length();
      if (i >= n) {
        return -1;
      }
      char first = text.charAt(i);
      if (isQuote(first)) {
        int close = text.indexOf(first, i + 1);
        return close < 0 ? -1 : close + 1;
      }
      int j = i;
      while (j < n && !endsValue(text.charAt(j))) {
        j++;
      }
      return j == i ? -1 : j;
    }

    @Override
    int start() {
      return start;
    }

    @Override
    int end() {
      return end;
    }
  }

  /**
   * Whether text[start, end) names a field this detector hides; {@code equals} if an {@code =} follows it
   * (else a {@code :}), {@code quoted} if it is in quotes (a JSON key).
   */
  boolean isKey(String text, int start, int end, boolean equals, boolean quoted) {
    if (!dottedKeys && text.indexOf('.', start) >= 0 && text.indexOf('.', start) < end) {
      return false;
    }
    char last = Character.toLowerCase(text.charAt(end - 1));
    String[] candidates = last < 128 ? keyWords[last] : null;
    if (candidates != null) {
      for (String word : candidates) {
        int at = end - word.length();
        if (at >= start && text.regionMatches(true, at, word, 0, word.length())) {
          return true;
        }
      }
    }
    return this == PERSONAL_PARAMETERS && isShortPersonalKey(text, start, end, equals, quoted);
  }

  /**
   * The whole key is a name field ({@code customer_name}, {@code lastName}, {@code name}) or one of
   * {@code tel}, {@code zip}, {@code city}, {@code card}. A bare {@code name} is the most common key of
   * technical text — a persistence unit's, a pool's, a queue's, a bean's ({@code [name: default]},
   * {@code {name=default, status=UP}}) — so it counts only where a person's name is sent: as a JSON key
   * ({@code "name": ...}) or as a query or form parameter ({@code name=...} at the start or after
   * {@code ?} or {@code &}).
   */
  private static boolean isShortPersonalKey(String text, int start, int end, boolean equals, boolean quoted) {
    int length = end - start;
    for (String whole : Names.SHORT) {
      if (length == whole.length() && text.regionMatches(true, start, whole, 0, length)) {
        return true;
      }
    }
    if (length < 4 || !text.regionMatches(true, end - 4, "name", 0, 4)) {
      return false;
    }
    int prefixEnd = end - 4;
    if (prefixEnd > start && (text.charAt(prefixEnd - 1) == '_' || text.charAt(prefixEnd - 1) == '-')) {
      prefixEnd--;
    }
    int prefix = prefixEnd - start;
    if (prefix == 0) {
      return quoted || (equals && (start == 0 || text.charAt(start - 1) == '?' || text.charAt(start - 1) == '&'));
    }
    for (String who : Names.WHO) {
      if (prefix == who.length() && text.regionMatches(true, start, who, 0, prefix)) {
        return true;
      }
    }
    return false;
  }

  /** The whole-key personal fields. */
  private static final class Names {
    static final String[] SHORT = {"tel", "zip", "city", "card"};
    /** what may come before {@code name} */
    static final String[] WHO = {"customer", "first", "last", "full", "given", "family", "sur", "user"};
  }

  private static boolean isKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  }

  private static boolean isQuote(char c) {
    return c == '"' || c == '\'';
  }

  /** {@code \s} as the patterns mean it */
  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }

  private static boolean endsValue(char c) {
    return isSpace(c) || c == '&' || c == ';' || c == ',' || c == '"' || c == '\'' || c == '}';
  }

  static boolean containsIgnoreCase(String text, String word) {
    int last = text.length() - word.length();
    char lower = word.charAt(0);
    char upper = Character.toUpperCase(lower);
    for (int i = 0; i <= last; i++) {
      char c = text.charAt(i);
      if ((c == lower || c == upper) && text.regionMatches(true, i, word, 0, word.length())) {
        return true;
      }
    }
    return false;
  }

  static Detector named(String name) {
    for (Detector d : values()) {
      if (d.name.equals(name)) {
        return d;
      }
    }
    return null;
  }

  static boolean luhn(String text) {
    int sum = 0;
    int digits = 0;
    boolean doubled = false;
    for (int i = text.length() - 1; i >= 0; i--) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        continue;
      }
      int d = c - '0';
      if (doubled) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      digits++;
      doubled = !doubled;
    }
    return digits >= 13 && sum % 10 == 0;
  }
}
