package dev.loupe.agent.redact;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in detectors of personal data and secrets in free text. Each finds candidates with a
 * pattern and may check them further (a card number must pass the Luhn check), and names what it
 * hides, which becomes the replacement ({@code [REDACTED:email]}).
 */
enum Detector {

  /** {@code scheme://user:password@host}: the user and the password. */
  URL_CREDENTIALS("url-credentials", "://", "(?i)\\b[a-z][a-z0-9+.-]{0,20}://[^\\s/?#@:]+:[^\\s/?#@]*@") {
    @Override
    String replacement(Matcher m, String hidden) {
      String match = m.group();
      return match.substring(0, match.indexOf("://") + 3) + hidden + "@";
    }
  },

  EMAIL("email", "@", "[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63})*\\.[A-Za-z]{2,24}"),

  /** Before the generic secret parameters, so the token is named as such. */
  JWT("jwt", "eyJ", "\\beyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*"),

  BEARER("bearer", null, "(?i)\\b(?:bearer|basic)\\s+[A-Za-z0-9._~+/-]{8,}=*") {
    @Override
    String replacement(Matcher m, String hidden) {
      String match = m.group();
      int space = 0;
      while (!Character.isWhitespace(match.charAt(space))) {
        space++;
      }
      return match.substring(0, space + 1) + hidden;
    }
  },

  /**
   * A secret-named parameter in a query string, a form, a command line or JSON:
   * {@code password=...}, {@code "token": "..."}, {@code -Dapp.db.password=...}.
   */
  SECRET_PARAMETERS("secret", null,
      "(?i)([\"']?(?<![\\w.:-])[\\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|authorization|credentials?"
          + "|signature|x-amz-security-token|session[_-]?id)[\"']?\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s&;,\"'}]+)") {
    @Override
    String replacement(Matcher m, String hidden) {
      return m.group(1) + hidden;
    }
  },

  /**
   * A parameter or field named for a person's details, in a query string, a form or JSON:
   * {@code email=...}, {@code customerPhone=...}, {@code "address": "..."}. Catches what no pattern can
   * recognise by shape, such as names and street addresses.
   */
  PERSONAL_PARAMETERS("personal", null,
      "(?i)([\"']?(?<![\\w.:-])(?:[\\w-]*(?:e-?mail|phone|mobile|fax|street|address|postcode|post_code|zip_?code"
          + "|birth|dob|cvc|cvv|iban|card[_-]?(?:number|no|num))|(?:customer|first|last|full|given|family|sur|user)?[_-]?name"
          + "|tel|zip|city|card)[\"']?\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s&;,\"'}]+)") {
    @Override
    String replacement(Matcher m, String hidden) {
      return m.group(1) + hidden;
    }
  },

  /** 13 to 19 digits, spaced or dashed in any grouping, that pass the Luhn check. */
  CARD("card", null, "(?<![\\w.-])\\d(?:[ -]?\\d){12,18}(?![\\w-])") {
    @Override
    boolean accepts(String match) {
      return luhn(match);
    }
  },

  /**
   * 9 to 15 digits written as a phone number: an optional {@code +} or {@code 00} and groups split by
   * spaces, dots, dashes, slashes or brackets. Dates, times, versions and IP addresses are not phones.
   */
  PHONE("phone", null, "(?<![\\w.:/+-])(?:\\+|\\(\\+?)?\\d[\\d ().\\-/]{6,22}\\d(?![\\w:]|\\.\\d)") {
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
      // an ISO date (2026-11-21 ...) is not a phone number
      return !match.matches("\\d{4}-\\d{2}-\\d{2}.*");
    }
  };

  final String name;
  /** Text that every match contains (a cheap test before the pattern runs), or null. */
  final String marker;
  final Pattern pattern;

  Detector(String name, String marker, String regex) {
    this.name = name;
    this.marker = marker;
    this.pattern = Pattern.compile(regex);
  }

  boolean accepts(String match) {
    return true;
  }

  /** What replaces the match; {@code hidden} stands for the value itself. */
  String replacement(Matcher m, String hidden) {
    return hidden;
  }

  Matcher matcher(CharSequence text) {
    return pattern.matcher(text);
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
