package dev.loupe.agent.loss;

/**
 * The names the loss sentinels write and the {@link LossReporter} reads. Plain string constants, so
 * the instrumentation's helpers in the application's class loaders use them without loading this class.
 */
public final class LossAttributes {

  /** Why the order of a span may be lost (or, {@code dead_lettered}, was parked by the broker). */
  public static final String REASON = "loupe.loss.reason";
  /** Where: the queue where one is known, else the exchange; see {@code Destinations}. */
  public static final String DESTINATION = "loupe.loss.destination";

  public static final String REJECTED = "rejected";
  public static final String DEAD_LETTERED = "dead_lettered";
  public static final String CONSUMER_FAILED = "consumer_failed";
  public static final String UNROUTABLE = "unroutable";
  public static final String PUBLISH_NACKED = "publish_nacked";
  public static final String PUBLISH_REFUSED = "publish_refused";

  /** The broker's own name for its default exchange, when no queue can be named instead. */
  public static final String DEFAULT_EXCHANGE = "amq.default";
  /** A queue the broker named ({@code amq.gen-...}, or Spring's {@code spring.gen-...}): one value for all. */
  public static final String GENERATED_QUEUE = "(generated)";
  public static final String UNKNOWN = "(unknown)";

  private LossAttributes() {}
}
