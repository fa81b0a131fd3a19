package dev.loupe.agent.db;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code loupe.db.*} settings, parsed once; a bad value is reported by name and the default used. */
public final class DbDiagnosisSettings {

  public static final String ENABLED = "loupe.db.enabled";
  public static final String REPEATED_THRESHOLD = "loupe.db.repeated-statement-threshold";
  public static final String SLOW_THRESHOLD = "loupe.db.slow-statement-threshold";
  static final int DEFAULT_REPEATED = 5;
  static final Duration DEFAULT_SLOW = Duration.ofMillis(500);

  private final boolean enabled;
  private final int repeatedThreshold;
  private final Duration slowThreshold;
  private final List<String> problems;

  private DbDiagnosisSettings(boolean enabled, int repeatedThreshold, Duration slowThreshold, List<String> problems) {
    this.enabled = enabled;
    this.repeatedThreshold = repeatedThreshold;
    this.slowThreshold = slowThreshold;
    this.problems = problems;
  }

  public boolean enabled() {
    return enabled;
  }

  /** How many runs of one statement in one request make it repeated; at least 2. */
  public int repeatedThreshold() {
    return repeatedThreshold;
  }

  /** How long one statement may take before it is slow; positive. */
  public Duration slowThreshold() {
    return slowThreshold;
  }

  /** What could not be parsed, each naming its setting; empty when every value was understood. */
  public List<String> problems() {
    return problems;
  }

  /** Each setting with its default ({@code ""} for none), as the extension supplies them to the agent. */
  public static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(ENABLED, "true");
    d.put(REPEATED_THRESHOLD, Integer.toString(DEFAULT_REPEATED));
    d.put(SLOW_THRESHOLD, DEFAULT_SLOW.toMillis() + "ms");
    return d;
  }

  public static DbDiagnosisSettings from(ConfigProperties config) {
    List<String> problems = new ArrayList<>();
    boolean enabled = true;
    String enabledText = config.getString(ENABLED);
    if (enabledText != null && !enabledText.trim().equalsIgnoreCase("true")) {
      if (enabledText.trim().equalsIgnoreCase("false")) {
        enabled = false;
      } else {
        problems.add(ENABLED + ": '" + enabledText + "' is neither true nor false; the diagnosis stays on");
      }
    }
    int repeated = DEFAULT_REPEATED;
    String repeatedText = config.getString(REPEATED_THRESHOLD);
    if (repeatedText != null) {
      try {
        repeated = Integer.parseInt(repeatedText.trim());
        if (repeated < 2) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        repeated = DEFAULT_REPEATED;
        problems.add(REPEATED_THRESHOLD + ": '" + repeatedText + "' is not a whole number of at least 2; using "
            + DEFAULT_REPEATED);
      }
    }
    Duration slow = DEFAULT_SLOW;
    try {
      slow = config.getDuration(SLOW_THRESHOLD, DEFAULT_SLOW);
      if (slow.isNegative() || slow.isZero()) {
        throw new IllegalArgumentException();
      }
    } catch (RuntimeException e) {
      slow = DEFAULT_SLOW;
      problems.add(SLOW_THRESHOLD + ": '" + config.getString(SLOW_THRESHOLD) + "' is not a positive duration such as"
          + " 500ms; using " + DEFAULT_SLOW.toMillis() + "ms");
    }
    return new DbDiagnosisSettings(enabled, repeated, slow, Collections.unmodifiableList(problems));
  }

  public String describe() {
    return "enabled=" + enabled + ", repeated-statement-threshold=" + repeatedThreshold
        + ", slow-statement-threshold=" + slowThreshold.toMillis() + "ms";
  }
}
