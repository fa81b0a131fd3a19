package dev.loupe.agent.loss;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The values of the loss metrics' {@code messaging.destination.name}: one spelling for each place, and
 * at most {@code limit} of them. The sentinels name the queue where one is known and the exchange
 * otherwise; here the agent's own spellings of the default exchange ({@code <default>}, empty) become
 * {@code amq.default}, and every destination first seen after the limit is counted under
 * {@code (other)}, with one WARNING, so a stream of generated names cannot grow the metrics without
 * bound.
 */
final class Destinations {

  static final String OTHER = "(other)";
  private static final Logger log = Logger.getLogger("dev.loupe.agent");

  private final int limit;
  private final Map<String, Boolean> seen = new ConcurrentHashMap<>();
  private volatile boolean full;

  /** {@code limit}: how many distinct values to keep (at least 1). */
  Destinations(int limit) {
    this.limit = Math.max(1, limit);
  }

  /**
   * The metric value for {@code destination} (a queue's or exchange's name, as a sentinel or the
   * agent wrote it; empty is the default exchange, null an unknown place).
   */
  String of(String destination) {
    String name = spelling(destination);
    if (seen.containsKey(name)) {
      return name;
    }
    synchronized (seen) {
      if (seen.containsKey(name)) {
        return name;
      }
      if (seen.size() < limit) {
        seen.put(name, Boolean.TRUE);
        return name;
      }
      if (!full) {
        full = true;
        log.warning("Loupe: losses have been reported at " + limit + " destinations (loupe.messaging.max-destinations);"
            + " those at any other are counted as " + OTHER + " in loupe.messages.lost; their spans and log records"
            + " still name them");
      }
      return OTHER;
    }
  }

  /** The one spelling of a destination: the default exchange is {@code amq.default}, none is {@code (unknown)}. */
  static String spelling(String destination) {
    if (destination == null) {
      return LossAttributes.UNKNOWN;
    }
    if (destination.isEmpty() || destination.equals("<default>")) {
      return LossAttributes.DEFAULT_EXCHANGE;
    }
    return destination;
  }
}
