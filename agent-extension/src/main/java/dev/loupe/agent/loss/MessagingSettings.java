package dev.loupe.agent.loss;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code loupe.messaging.*} settings of the RabbitMQ loss sentinels, parsed once; a bad value is
 * reported in {@link #problems()} by name and its default used.
 */
public final class MessagingSettings {

  /** Opt-in: learn of unroutable messages from publishers that do not set {@code mandatory}. */
  public static final String DETECT_UNROUTABLE = "loupe.messaging.detect-unroutable";
  /** Queues that dead-letter by a broker policy, which no client can see: names, or prefixes ending in {@code *}. */
  public static final String DEAD_LETTER_QUEUES = "loupe.messaging.dead-letter-queues";
  /** Per channel, how many unsettled deliveries and unconfirmed publishes are remembered with their order. */
  public static final String TRACKED_PER_CHANNEL = "loupe.messaging.tracked-per-channel";
  /** How many distinct destinations the message-loss metrics name before counting the rest as {@code (other)}. */
  public static final String MAX_DESTINATIONS = "loupe.messaging.max-destinations";

  static final int DEFAULT_TRACKED = 512;
  static final int DEFAULT_MAX_DESTINATIONS = 100;

  private final boolean detectUnroutable;
  private final String deadLetterQueues;
  private final int trackedPerChannel;
  private final int maxDestinations;
  private final List<String> problems;

  private MessagingSettings(boolean detectUnroutable, String deadLetterQueues, int trackedPerChannel, int maxDestinations,
      List<String> problems) {
    this.detectUnroutable = detectUnroutable;
    this.deadLetterQueues = deadLetterQueues;
    this.trackedPerChannel = trackedPerChannel;
    this.maxDestinations = maxDestinations;
    this.problems = Collections.unmodifiableList(problems);
  }

  /** Each setting with its default ({@code ""} for none), as the extension supplies them to the agent. */
  public static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(DETECT_UNROUTABLE, "false");
    d.put(DEAD_LETTER_QUEUES, "");
    d.put(TRACKED_PER_CHANNEL, Integer.toString(DEFAULT_TRACKED));
    d.put(MAX_DESTINATIONS, Integer.toString(DEFAULT_MAX_DESTINATIONS));
    return d;
  }

  public static MessagingSettings from(ConfigProperties config) {
    List<String> problems = new ArrayList<>();
    String value = config.getString(DETECT_UNROUTABLE);
    boolean detect = value != null && value.trim().equalsIgnoreCase("true");
    if (value != null && !detect && !value.trim().equalsIgnoreCase("false")) {
      problems.add(DETECT_UNROUTABLE + ": '" + value + "' is neither true nor false; unroutable detection stays off");
    }
    String deadLetter = String.join(",", config.getList(DEAD_LETTER_QUEUES));
    int tracked = number(config, TRACKED_PER_CHANNEL, DEFAULT_TRACKED, 16, 65_536, problems);
    int destinations = number(config, MAX_DESTINATIONS, DEFAULT_MAX_DESTINATIONS, 1, 10_000, problems);
    return new MessagingSettings(detect, deadLetter, tracked, destinations, problems);
  }

  private static int number(ConfigProperties config, String key, int fallback, int min, int max, List<String> problems) {
    String text = config.getString(key);
    if (text == null || text.trim().isEmpty()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(text.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(key + ": '" + text + "' is not a whole number from " + min + " to " + max + "; " + fallback + " is used");
    return fallback;
  }

  public boolean detectUnroutable() {
    return detectUnroutable;
  }

  /** The dead-letter queue names and prefixes, comma-separated as they were given. */
  public String deadLetterQueues() {
    return deadLetterQueues;
  }

  public int trackedPerChannel() {
    return trackedPerChannel;
  }

  public int maxDestinations() {
    return maxDestinations;
  }

  public List<String> problems() {
    return problems;
  }

  /** The settings in effect, for the start-up line. */
  public String describe() {
    return "detect-unroutable=" + detectUnroutable + ", dead-letter-queues=[" + deadLetterQueues + "], tracked-per-channel="
        + trackedPerChannel + ", max-destinations=" + maxDestinations;
  }
}
