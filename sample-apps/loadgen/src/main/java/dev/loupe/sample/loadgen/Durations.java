package dev.loupe.sample.loadgen;

import java.time.Duration;
import java.util.Locale;

/** Durations as people type them on a command line. */
public final class Durations {

  private Durations() {}

  /**
   * "500ms", "30s", "2m", "1h" or a plain number of seconds.
   *
   * @throws IllegalArgumentException naming the text if it is none of these
   */
  public static Duration parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      char unit = t.charAt(t.length() - 1);
      if (Character.isDigit(unit)) {
        return Duration.ofSeconds(Long.parseLong(t));
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      return switch (unit) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> throw new NumberFormatException();
      };
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("'" + text + "' is not a duration such as 30s, 2m or 1h");
    }
  }
}
