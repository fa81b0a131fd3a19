package dev.loupe.agent.loss.rabbit;

import com.rabbitmq.client.AMQP;
import io.opentelemetry.context.Context;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one channel and the broker still owe each other: the deliveries the application has not yet
 * settled, by delivery tag, each with the work (and so the order) it belongs to; the publishes the
 * broker has not yet shown it took; the channel's consumers. It decides, from those, which orders a
 * settlement, a confirm or the broker closing the channel affects; {@link RabbitLoss} reports them.
 *
 * <p>Bounded: at most {@code limit} publishes are remembered, and deliveries up to {@code limit} tags
 * (rounded up to a power of two) behind the newest; beyond that the oldest is forgotten and what later
 * happens to it is reported without its order. It holds no
 * reference to its channel, and is dropped when the channel closes. Thread-safe: the
 * application's threads publish and settle while the connection's thread delivers, confirms and closes.
 */
final class ChannelLedger {

  /** AMQP class and method ids of the commands a broker names when it closes a channel. */
  private static final int BASIC = 60;
  private static final int PUBLISH = 40;
  private static final int ACK = 80;
  private static final int REJECT = 90;
  private static final int NACK = 120;

  /** A consumer on this channel: its queue and whether the broker forgets each message as it sends it. */
  static final class Subscription {
    final ChannelLedger ledger;
    final String queue;
    final boolean autoAck;
    /** The consumer tag the application asked for; empty for one the broker chooses. */
    final String requestedTag;
    volatile boolean registered;

    Subscription(ChannelLedger ledger, String queue, boolean autoAck, String requestedTag) {
      this.ledger = ledger;
      this.queue = queue;
      this.autoAck = autoAck;
      this.requestedTag = requestedTag == null ? "" : requestedTag;
    }
  }

  /** A delivery the application must still settle. */
  static final class Delivery {
    static final int UNSETTLED = 0;
    static final int ACKED = 1;
    static final int DROPPED = 2;
    static final int REQUEUED = 3;

    final long tag;
    /** The work the delivery began (the consumer's span, the order in its baggage); null if unknown. */
    final Context context;
    final String queue;
    volatile int outcome;

    Delivery(long tag, Context context, String queue) {
      this.tag = tag;
      this.context = context;
      this.queue = queue;
    }
  }

  /** A publish the broker has not yet shown it took. */
  static final class Publish {
    final Context context;
    final String exchange;
    final String routingKey;
    /** The publisher-confirm sequence number; 0 on a channel without confirms. */
    final long sequence;
    /** Its place among this channel's publishes. */
    long index;
    /** A later round trip showed the broker processed it; only its confirm is outstanding. */
    boolean processed;

    Publish(Context context, String exchange, String routingKey, long sequence) {
      this.context = context;
      this.exchange = exchange;
      this.routingKey = routingKey;
      this.sequence = sequence;
    }
  }

  private final int limit;
  final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  /** {@code basicConsume} calls waiting for the broker's consume-ok, in the order they were made. */
  private final ArrayDeque<Subscription> awaitingConsumeOk = new ArrayDeque<>();

  /**
   * Unsettled deliveries by delivery tag, which a channel numbers one by one: the delivery of tag t sits
   * at t modulo the ring's length, so a delivery as many tags behind as the ring is long is forgotten
   * when its slot is needed. Made on the first delivery; guarded by {@code deliveries}.
   */
  private final Object deliveries = new Object();
  private Delivery[] ring;
  private int unsettledCount;
  /** No delivery below this tag is in the ring. */
  private long lowestTag = 1;
  private long highestTag;
  private long forgottenUpTo;

  private final ArrayDeque<Publish> unproven = new ArrayDeque<>();
  private volatile long published;
  /** The publish count when the synchronous command now waiting for its answer was sent; -1 if none waits. */
  private volatile long askedAt = -1;
  /** The publish count when the application first settled a delivery since the last round trip; -1 if it has not. */
  private volatile long settledAfter = -1;

  volatile boolean closed;
  volatile boolean confirming;
  volatile boolean watchingReturns;

  ChannelLedger(int limit) {
    this.limit = Math.max(1, limit);
  }

  // --- consumers --------------------------------------------------------------------------------

  /** A {@code basicConsume} is about to be sent. */
  void consuming(Subscription subscription) {
    synchronized (awaitingConsumeOk) {
      if (awaitingConsumeOk.size() >= limit) {
        awaitingConsumeOk.pollFirst();
      }
      awaitingConsumeOk.addLast(subscription);
    }
  }

  /**
   * The broker's consume-ok for {@code consumerTag}, before any delivery to it: the call that asked for
   * that tag, else the oldest that let the broker choose; null if none waits.
   */
  Subscription consumeOk(String consumerTag) {
    synchronized (awaitingConsumeOk) {
      Subscription chosen = null;
      for (Subscription s : awaitingConsumeOk) {
        if (s.requestedTag.equals(consumerTag)) {
          chosen = s;
          break;
        }
        if (chosen == null && s.requestedTag.isEmpty()) {
          chosen = s;
        }
      }
      if (chosen != null) {
        awaitingConsumeOk.remove(chosen);
      }
      return chosen;
    }
  }

  /** The {@code basicConsume} returned (or failed): it no longer waits. */
  void consumed(Subscription subscription) {
    synchronized (awaitingConsumeOk) {
      awaitingConsumeOk.remove(subscription);
    }
  }

  // --- deliveries -------------------------------------------------------------------------------

  /** A delivery the application must settle; one as many tags behind as the limit is forgotten. */
  void delivered(Delivery delivery) {
    synchronized (deliveries) {
      if (ring == null) {
        ring = new Delivery[Integer.highestOneBit(Math.max(1, limit - 1)) << 1]; // the limit, rounded up to a power of two
      }
      int slot = slot(delivery.tag);
      Delivery old = ring[slot];
      if (old != null) {
        forgottenUpTo = Math.max(forgottenUpTo, old.tag);
        unsettledCount--;
      }
      ring[slot] = delivery;
      unsettledCount++;
      highestTag = Math.max(highestTag, delivery.tag);
      lowestTag = Math.min(lowestTag, delivery.tag);
    }
  }

  private int slot(long tag) {
    return (int) (tag & (ring.length - 1));
  }

  /** The delivery of {@code tag}, taken out of the ring; null if it is not there. Holds {@code deliveries}. */
  private Delivery take(long tag) {
    int slot = slot(tag);
    Delivery d = ring[slot];
    if (d == null || d.tag != tag) {
      return null;
    }
    ring[slot] = null;
    unsettledCount--;
    return d;
  }

  /**
   * The deliveries one {@code basicAck}, {@code basicNack} or {@code basicReject} settles: the one of
   * {@code tag}, or with {@code multiple} every one up to it ({@code 0}: all); each leaves the ledger
   * with {@code outcome}. Empty if none is known.
   */
  List<Delivery> settle(long tag, boolean multiple, int outcome) {
    if (settledAfter < 0) {
      settledAfter = published;
    }
    synchronized (deliveries) {
      if (ring == null) {
        return Collections.emptyList();
      }
      if (!multiple) {
        Delivery one = take(tag);
        if (one == null) {
          return Collections.emptyList();
        }
        one.outcome = outcome;
        lowestTag = Math.max(lowestTag, highestTag - ring.length + 1);
        while (lowestTag <= highestTag && ring[slot(lowestTag)] == null) {
          lowestTag++; // at most the ring's length, and once per tag as they are settled in turn
        }
        return Collections.singletonList(one);
      }
      long last = tag == 0 ? highestTag : Math.min(tag, highestTag);
      List<Delivery> out = new ArrayList<>(4);
      for (long t = Math.max(lowestTag, highestTag - ring.length + 1); t <= last; t++) {
        Delivery d = take(t);
        if (d != null) {
          d.outcome = outcome;
          out.add(d);
        }
      }
      lowestTag = Math.max(lowestTag, last + 1);
      return out;
    }
  }

  /**
   * Whether a drop of {@code tag} that settled nothing known can still have dropped a message: true
   * for a delivery this ledger never saw or forgot to its limit; false for one it saw settled
   * already (settling it again is the application's error, which the broker answers by closing the
   * channel, and changes nothing for the message).
   */
  boolean unseen(long tag, boolean multiple) {
    synchronized (deliveries) {
      return multiple ? tag == 0 ? forgottenUpTo > 0 : tag > highestTag || forgottenUpTo > 0
          : tag > highestTag || tag <= forgottenUpTo;
    }
  }

  /** The broker takes back every unsettled delivery ({@code basicRecover}, or the channel closed). */
  void requeueAll() {
    synchronized (deliveries) {
      if (ring == null) {
        return;
      }
      for (int i = 0; i < ring.length; i++) {
        if (ring[i] != null) {
          ring[i].outcome = Delivery.REQUEUED;
          ring[i] = null;
        }
      }
      unsettledCount = 0;
      lowestTag = highestTag + 1;
    }
  }

  int unsettledCount() {
    synchronized (deliveries) {
      return unsettledCount;
    }
  }

  // --- publishes --------------------------------------------------------------------------------

  /** A publish the broker has not yet shown it took; the oldest is forgotten beyond the limit. */
  void published(Publish publish) {
    synchronized (unproven) {
      if (unproven.size() >= limit) {
        unproven.pollFirst();
      }
      publish.index = ++published;
      unproven.addLast(publish);
    }
  }

  /** The publish never went out: {@code basicPublish} threw. */
  void withdraw(Publish publish) {
    synchronized (unproven) {
      unproven.remove(publish);
    }
  }

  /** A synchronous command is about to be sent; the channel sends nothing else until it is. */
  void asking() {
    askedAt = published;
  }

  /**
   * The synchronous command was answered: the broker processed everything sent on the channel before
   * it, without closing the channel. Those publishes without confirms are done with; those with
   * confirms now wait only for their confirm. (The answer wakes the application before this is called,
   * so what it published since is not yet proven.)
   */
  void roundTrip() {
    long upTo = askedAt;
    askedAt = -1;
    if (upTo < 0) {
      return;
    }
    settledAfter = -1;
    synchronized (unproven) {
      for (Iterator<Publish> it = unproven.iterator(); it.hasNext(); ) {
        Publish p = it.next();
        if (p.index > upTo) {
          break;
        }
        if (p.sequence == 0) {
          it.remove();
        } else {
          p.processed = true;
        }
      }
    }
  }

  /**
   * The broker confirmed ({@code ack}) or refused ({@code nack}) the publish of {@code sequence}, or
   * with {@code multiple} every one up to it: they leave the ledger, and are returned. A confirm also
   * shows that what was published before it was processed.
   */
  List<Publish> confirmed(long sequence, boolean multiple) {
    synchronized (unproven) {
      List<Publish> out = new ArrayList<>(multiple ? 4 : 1);
      for (Iterator<Publish> it = unproven.iterator(); it.hasNext(); ) {
        Publish p = it.next();
        if (p.sequence > sequence) {
          break;
        }
        if (p.sequence == sequence || multiple && p.sequence > 0) {
          out.add(p);
          it.remove();
        } else if (p.sequence == 0) {
          it.remove(); // published before confirms were selected, and processed before this confirm
        } else {
          p.processed = true;
        }
      }
      return out;
    }
  }

  int unprovenCount() {
    synchronized (unproven) {
      return unproven.size();
    }
  }

  /**
   * The broker closed the channel with {@code close}: the publishes it refused or discarded unread.
   * A channel error stops the broker reading the channel at the command that caused it, so every
   * publish sent after that command is gone too; those before it arrived. When a publish caused it,
   * that is the first not yet processed publish to the exchange the broker names (or, if it names
   * none, the first not yet processed one); when a settlement caused it, every publish sent after the
   * first settlement since the last round trip; when a synchronous command caused it, none (the
   * application got the error from that command, and nothing was published after it on this
   * channel's thread).
   */
  List<Publish> refusedBy(AMQP.Channel.Close close) {
    synchronized (unproven) {
      List<Publish> open = new ArrayList<>();
      for (Publish p : unproven) {
        if (!p.processed) {
          open.add(p);
        }
      }
      if (close.getClassId() != BASIC) {
        return Collections.emptyList();
      }
      int method = close.getMethodId();
      if (method == PUBLISH) {
        String named = exchangeIn(close.getReplyText());
        for (int i = 0; i < open.size(); i++) {
          if (named != null && named.equals(open.get(i).exchange)) {
            return new ArrayList<>(open.subList(i, open.size()));
          }
        }
        return open;
      }
      if (method == ACK || method == REJECT || method == NACK) {
        long after = settledAfter;
        List<Publish> out = new ArrayList<>();
        for (Publish p : open) {
          if (after >= 0 && p.index > after) {
            out.add(p);
          }
        }
        return out;
      }
      return Collections.emptyList();
    }
  }

  /** The channel is gone: the broker takes back its unsettled deliveries; nothing more is owed. */
  void closed() {
    closed = true;
    requeueAll();
    synchronized (unproven) {
      unproven.clear();
    }
  }

  /** The exchange a broker's reply text names ({@code NOT_FOUND - no exchange 'x' in vhost '/'}), or null. */
  static String exchangeIn(String replyText) {
    if (replyText == null) {
      return null;
    }
    int at = replyText.indexOf("exchange '");
    if (at < 0) {
      return null;
    }
    int start = at + "exchange '".length();
    int end = replyText.indexOf('\'', start);
    return end < 0 ? null : replyText.substring(start, end);
  }
}
