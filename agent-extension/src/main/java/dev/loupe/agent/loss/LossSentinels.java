package dev.loupe.agent.loss;

import dev.loupe.agent.loss.rabbit.RabbitLoss;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.ArrayList;
import java.util.List;

/**
 * The loss sentinels' SDK side: the reporter and what feeds it; and the sentinels' settings, parsed
 * once and handed to the RabbitMQ instrumentation through internal system properties.
 */
public final class LossSentinels {

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

  private LossReporter reporter;
  private String described = "";

  /**
   * Reads the settings and hands them to the instrumentation; returns the problem with each bad one
   * (that setting then keeps its default), empty if none.
   */
  public List<String> configure(ConfigProperties config) {
    List<String> problems = new ArrayList<>();
    String value = config.getString(DETECT_UNROUTABLE);
    boolean detect = value != null && value.trim().equalsIgnoreCase("true");
    if (value != null && !detect && !value.trim().equalsIgnoreCase("false")) {
      problems.add(DETECT_UNROUTABLE + ": '" + value + "' is neither true nor false; unroutable detection stays off");
    }
    String deadLetter = String.join(",", config.getList(DEAD_LETTER_QUEUES));
    int tracked = number(config, TRACKED_PER_CHANNEL, DEFAULT_TRACKED, 16, 65_536, problems);
    int destinations = number(config, MAX_DESTINATIONS, DEFAULT_MAX_DESTINATIONS, 1, 10_000, problems);
    System.setProperty(RabbitLoss.DETECT_UNROUTABLE_HANDOFF, Boolean.toString(detect));
    System.setProperty(RabbitLoss.DEAD_LETTER_QUEUES_HANDOFF, deadLetter);
    System.setProperty(RabbitLoss.TRACKED_HANDOFF, Integer.toString(tracked));
    reporter = new LossReporter(destinations);
    described = "detect-unroutable=" + detect + ", dead-letter-queues=[" + deadLetter + "], tracked-per-channel="
        + tracked + ", max-destinations=" + destinations;
    return problems;
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

  /** The settings in effect, for the start-up line. */
  public String describe() {
    return described;
  }

  /** Built by {@link #configure}. */
  public SpanProcessor spanProcessor() {
    return reporter;
  }

  /** Built by {@link #configure}. */
  public LogRecordProcessor logProcessor() {
    return new ErrorLogMarker(reporter);
  }
}
