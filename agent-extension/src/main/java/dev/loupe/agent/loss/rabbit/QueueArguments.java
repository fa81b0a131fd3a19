package dev.loupe.agent.loss.rabbit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * What this JVM knows of its queues from their declarations: which dead-letter (so a message rejected
 * there is parked, not lost), and which can discard messages on the broker's own (expiry, length
 * limits, delivery limits, an unused queue's expiry) without any client being told. A queue that
 * dead-letters by broker policy is invisible to a client: the setting
 * {@code loupe.messaging.dead-letter-queues} names those.
 */
final class QueueArguments {

  static final String DEAD_LETTER_QUEUES_HANDOFF = "loupe.internal.messaging.dead-letter-queues";
  private static final Logger log = Logger.getLogger("dev.loupe.agent");
  /** Queues remembered; a JVM that declares more (generated names) stops learning rather than grow. */
  private static final int REMEMBERED = 10_000;

  private final Set<String> deadLettering = ConcurrentHashMap.newKeySet();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final Set<String> configured;
  private final List<String> configuredPrefixes;

  /** {@code deadLetterQueues}: names, or prefixes ending in {@code *}, comma-separated; null for none. */
  QueueArguments(String deadLetterQueues) {
    Set<String> exact = new java.util.HashSet<>();
    List<String> prefixes = new ArrayList<>();
    if (deadLetterQueues != null) {
      for (String item : deadLetterQueues.split(",")) {
        String name = item.trim();
        if (name.endsWith("*")) {
          prefixes.add(name.substring(0, name.length() - 1));
        } else if (!name.isEmpty()) {
          exact.add(name);
        }
      }
    }
    this.configured = Collections.unmodifiableSet(exact);
    this.configuredPrefixes = Collections.unmodifiableList(prefixes);
  }

  /** Whether a message rejected without requeue from {@code queue} goes to a dead-letter exchange. */
  boolean deadLetters(String queue) {
    if (queue == null) {
      return false;
    }
    if (deadLettering.contains(queue) || configured.contains(queue)) {
      return true;
    }
    for (String prefix : configuredPrefixes) {
      if (queue.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code queueDeclare} of {@code queue} (the broker's name for it) with {@code arguments} succeeded:
   * remembers a dead-letter exchange, and warns once per queue and argument about each way the broker
   * can discard its messages without a word.
   */
  void declared(String queue, Map<String, Object> arguments) {
    if (queue == null || arguments == null || arguments.isEmpty()) {
      return;
    }
    boolean deadLetter = arguments.get("x-dead-letter-exchange") != null || deadLetters(queue);
    if (deadLetter && deadLettering.size() < REMEMBERED) {
      deadLettering.add(queue);
    }
    for (String problem : discards(queue, arguments, deadLetter)) {
      if (warned.size() < REMEMBERED && warned.add(queue + " " + problem)) {
        log.warning("Loupe: queue '" + queue + "' " + problem);
      }
    }
  }

  /** Each way the broker can discard messages of a queue declared with {@code arguments}, in words. */
  static List<String> discards(String queue, Map<String, Object> arguments, boolean deadLetter) {
    List<String> out = new ArrayList<>();
    String unseen = "; no client is told, so Loupe cannot report the orders: only the broker's own counters show it";
    String noDlx = " and no dead-letter exchange";
    Object ttl = arguments.get("x-message-ttl");
    if (ttl != null && !deadLetter) {
      out.add("is declared with x-message-ttl=" + ttl + noDlx + ": the broker discards each message that waits longer"
          + unseen + " (rabbitmq_global_messages_dead_lettered_expired_total{dead_letter_strategy=\"disabled\"})");
    }
    Object maxLength = arguments.get("x-max-length");
    Object maxBytes = arguments.get("x-max-length-bytes");
    if (maxLength != null || maxBytes != null) {
      String limit = maxLength != null ? "x-max-length=" + maxLength : "x-max-length-bytes=" + maxBytes;
      Object overflowValue = arguments.get("x-overflow");
      String overflow = overflowValue == null ? "drop-head" : overflowValue.toString();
      if (overflow.equals("reject-publish")) {
        out.add("is declared with " + limit + " and x-overflow=reject-publish: when it is full the broker refuses new"
            + " messages, which a publisher without confirms loses without a word (with confirms, Loupe reports"
            + " them as publish_nacked)");
      } else if (!deadLetter && !overflow.equals("reject-publish-dlx")) {
        out.add("is declared with " + limit + noDlx + ": when it is full the broker drops its oldest messages" + unseen
            + " (rabbitmq_global_messages_dead_lettered_maxlen_total{dead_letter_strategy=\"disabled\"})");
      }
    }
    Object deliveryLimit = arguments.get("x-delivery-limit");
    if (deliveryLimit != null && !deadLetter) {
      out.add("is declared with x-delivery-limit=" + deliveryLimit + noDlx + ": a message requeued more often is"
          + " dropped by the broker" + unseen
          + " (rabbitmq_global_messages_dead_lettered_delivery_limit_total{dead_letter_strategy=\"disabled\"})");
    }
    Object expires = arguments.get("x-expires");
    if (expires != null) {
      out.add("is declared with x-expires=" + expires + ": the broker deletes it, with every message in it, once it"
          + " has been unused for that long; no client is told, so Loupe cannot report the orders"
          + " (rabbitmq_queues_deleted_total counts it)");
    }
    return out;
  }
}
