package dev.loupe.agent.loss.rabbit;

import com.rabbitmq.client.AMQP;
import io.opentelemetry.context.Context;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one channel and the broker still owe each other: the deliveries the application has not yet
 * settled, by delivery tag, each with the work (and so the order) it belongs to; the publishes the
 * broker has not yet shown it took; the channel's consumers. It decides, from those, which orders a
 * settlement, a confirm or the broker closing the channel affects; {@link RabbitLoss} reports them.
 *
 * <p>Bounded: publishes up to {@code limit} (rounded up to a power of two) behind the newest are
 * remembered, and deliveries as many tags behind the newest; beyond that the oldest is forgotten and
 * what later happens to it is reported without its order. Both sit in rings of slots made once and
 * reused, so a healthy publish, delivery, acknowledgement or confirm allocates nothing
 * ({@code RabbitLossBenchmark}). It holds no reference to its channel, and is dropped when the
 * channel closes. Thread-safe: the application's threads publish and settle while the connection's
 * thread delivers, confirms and closes.
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

  /**
   * A delivery the application must still settle. The ledger's slots are reused, one per delivery tag
   * modulo the ring's length, so that a healthy delivery allocates nothing: a slot keeps its tag and
   * outcome after it is settled (until a delivery as many tags later takes it), which is how a
   * consumer that throws learns whether its delivery was acknowledged first. What the ledger hands out
   * from {@link #settle(long, boolean, int)} are copies, which nothing reuses.
   */
  static final class Delivery {
    static final int UNSETTLED = 0;
    static final int ACKED = 1;
    static final int DROPPED = 2;
    static final int REQUEUED = 3;

    volatile long tag;
    /** The work the delivery began (the consumer's span, the order in its baggage); null if unknown or settled. */
    Context context;
    String queue;
    volatile int outcome;
    /** Unsettled and in the ring; guarded by the ledger's {@code deliveries}. */
    boolean present;

    Delivery(long tag, Context context, String queue) {
      this.tag = tag;
      this.context = context;
      this.queue = queue;
    }

    /** Whether this slot still speaks for the delivery of {@code tag} and it was acknowledged. */
    boolean acked(long deliveryTag) {
      int o = outcome;
      return tag == deliveryTag && o == ACKED;
    }
  }

  /**
   * A publish the broker has not yet shown it took. Slots are reused, one per publish index modulo the
   * ring's length, so that a healthy publish allocates nothing; what the ledger hands out from
   * {@link #confirmed(long, boolean, List)} and {@link #refusedBy} are copies.
   */
  static final class Publish {
    /**
     * The ledger that took it (null for a copy): the one to withdraw it from, even after its channel
     * closed and the channel's next call found a new ledger.
     */
    ChannelLedger owner;
    Context context;
    String exchange;
    String routingKey;
    /** The publisher-confirm sequence number; 0 on a channel without confirms. */
    long sequence;
    /** Its place among this channel's publishes. */
    long index;
    /** A later round trip showed the broker processed it; only its confirm is outstanding. */
    boolean processed;
    /** Not yet proven, and in the ring. */
    boolean present;
    /** {@link Thread#getId()} of the thread that published it, to withdraw it only for that thread. */
    long thread;

    Publish(Context context, String exchange, String routingKey, long sequence) {
      this.context = context;
      this.exchange = exchange;
      this.routingKey = routingKey;
      this.sequence = sequence;
    }

    Publish copy() {
      Publish p = new Publish(context, exchange, routingKey, sequence);
      p.index = index;
      p.processed = processed;
      return p;
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

  /**
   * Publishes not yet proven, by their index among the channel's publishes, as deliveries are by tag:
   * the publish of index i sits at i modulo the ring's length. Made on the first publish; guarded by
   * {@code unproven}.
   */
  private final Object unproven = new Object();
  private Publish[] sent;
  private int unprovenCount;
  /** No unproven publish below this index is in the ring. */
  private long oldestIndex = 1;
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

  /** The limit, rounded up to a power of two, so that a slot is found by masking. */
  private int ringLength() {
    return Integer.highestOneBit(Math.max(1, limit - 1)) << 1;
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

  /**
   * The delivery of {@code tag} from {@code queue}, begun in {@code context} (null if unknown), which
   * the application must settle; one as many tags behind as the ring is long is forgotten. Returns its
   * slot, whose {@link Delivery#acked(long)} tells later whether it was acknowledged.
   */
  Delivery delivered(long tag, Context context, String queue) {
    synchronized (deliveries) {
      if (ring == null) {
        ring = new Delivery[ringLength()];
      }
      int slot = slot(tag);
      Delivery d = ring[slot];
      if (d == null) {
        d = new Delivery(tag, context, queue);
        ring[slot] = d;
      } else {
        if (d.present) {
          forgottenUpTo = Math.max(forgottenUpTo, d.tag);
          unsettledCount--;
        }
        d.tag = tag;
        d.context = context;
        d.queue = queue;
        d.outcome = Delivery.UNSETTLED;
      }
      d.present = true;
      unsettledCount++;
      highestTag = Math.max(highestTag, tag);
      lowestTag = Math.min(lowestTag, tag);
      return d;
    }
  }

  private static boolean holdsUnsettled(Delivery d) {
    return d != null && d.present;
  }

  private int slot(long tag) {
    return (int) (tag & (ring.length - 1));
  }

  /**
   * Settles the delivery of {@code tag} with {@code outcome} if it is in the ring, adding a copy of it
   * to {@code into} unless that is null. Holds {@code deliveries}.
   */
  private boolean take(long tag, int outcome, List<Delivery> into) {
    Delivery d = ring[slot(tag)];
    if (d == null || !d.present || d.tag != tag) {
      return false;
    }
    d.present = false;
    unsettledCount--;
    if (into != null) {
      Delivery copy = new Delivery(tag, d.context, d.queue);
      copy.outcome = outcome;
      into.add(copy);
    }
    d.context = null; // the slot keeps only what a throwing consumer asks: its tag and outcome
    d.outcome = outcome;
    return true;
  }

  /**
   * The deliveries one {@code basicAck}, {@code basicNack} or {@code basicReject} settles: the one of
   * {@code tag}, or with {@code multiple} every one up to it ({@code 0}: all); each leaves the ledger
   * with {@code outcome}. Copies; empty if none is known.
   */
  List<Delivery> settle(long tag, boolean multiple, int outcome) {
    List<Delivery> out = new ArrayList<>(multiple ? 4 : 1);
    settle(tag, multiple, outcome, out);
    return out;
  }

  /**
   * As {@link #settle(long, boolean, int)}, adding copies of the settled deliveries to {@code into}
   * unless it is null (an acknowledgement needs none, and so allocates nothing); returns how many
   * were settled.
   */
  int settle(long tag, boolean multiple, int outcome, List<Delivery> into) {
    if (settledAfter < 0) {
      settledAfter = published;
    }
    synchronized (deliveries) {
      if (ring == null) {
        return 0;
      }
      if (!multiple) {
        if (!take(tag, outcome, into)) {
          return 0;
        }
        lowestTag = Math.max(lowestTag, highestTag - ring.length + 1);
        // a slot never filled is as good as settled: tags can jump (a recovered channel's
        // deliveries, whose tags the client offsets), leaving slots behind the highest tag empty
        while (lowestTag <= highestTag && !holdsUnsettled(ring[slot(lowestTag)])) {
          lowestTag++; // at most the ring's length, and once per tag as they are settled in turn
        }
        return 1;
      }
      long last = tag == 0 ? highestTag : Math.min(tag, highestTag);
      int settled = 0;
      for (long t = Math.max(lowestTag, highestTag - ring.length + 1); t <= last; t++) {
        if (take(t, outcome, into)) {
          settled++;
        }
      }
      lowestTag = Math.max(lowestTag, last + 1);
      return settled;
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
      for (Delivery d : ring) {
        if (d != null && d.present) {
          d.present = false;
          d.context = null;
          d.outcome = Delivery.REQUEUED;
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

  /**
   * A publish to {@code exchange} with {@code routingKey} and confirm {@code sequence} (0 without
   * confirms), made in {@code context}, that the broker has not yet shown it took; the oldest is
   * forgotten beyond the ring's length. Returns its slot, for {@link #withdraw}.
   */
  Publish published(Context context, String exchange, String routingKey, long sequence) {
    synchronized (unproven) {
      if (sent == null) {
        sent = new Publish[ringLength()];
      }
      long index = published + 1;
      int slot = (int) (index & (sent.length - 1));
      Publish p = sent[slot];
      if (p == null) {
        p = new Publish(context, exchange, routingKey, sequence);
        p.owner = this;
        sent[slot] = p;
      } else {
        if (p.present) {
          unprovenCount--;
        }
        p.context = context;
        p.exchange = exchange;
        p.routingKey = routingKey;
        p.sequence = sequence;
      }
      p.index = index;
      p.processed = false;
      p.present = true;
      p.thread = Thread.currentThread().getId();
      unprovenCount++;
      published = index;
      oldestIndex = Math.max(oldestIndex, index - sent.length + 1);
      return p;
    }
  }

  /**
   * The publish never went out: {@code basicPublish} threw. {@code publish} is the slot {@link
   * #published} returned; it is withdrawn only if it still holds this thread's publish.
   */
  void withdraw(Publish publish) {
    synchronized (unproven) {
      if (sent != null && publish.owner == this && publish.present && publish.thread == Thread.currentThread().getId()) {
        remove(publish);
        advance();
      }
    }
  }

  /** The unproven publish of {@code index}, or null. Holds {@code unproven}. */
  private Publish at(long index) {
    Publish p = sent[(int) (index & (sent.length - 1))];
    return p != null && p.present && p.index == index ? p : null;
  }

  /** Holds {@code unproven}. */
  private void remove(Publish p) {
    p.present = false;
    p.context = null;
    unprovenCount--;
  }

  /** Moves {@link #oldestIndex} past what is no longer unproven. Holds {@code unproven}. */
  private void advance() {
    if (sent == null) {
      return; // nothing was ever published on this channel
    }
    oldestIndex = Math.max(oldestIndex, published - sent.length + 1);
    while (oldestIndex <= published && at(oldestIndex) == null) {
      oldestIndex++;
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
      if (sent == null) {
        return;
      }
      advance();
      for (long i = oldestIndex; i <= upTo; i++) {
        Publish p = at(i);
        if (p == null) {
          continue;
        }
        if (p.sequence == 0) {
          remove(p);
        } else {
          p.processed = true;
        }
      }
      advance();
    }
  }

  /**
   * The broker confirmed ({@code ack}) or refused ({@code nack}) the publish of {@code sequence}, or
   * with {@code multiple} every one up to it: they leave the ledger, and are returned (copies). A
   * confirm also shows that what was published before it was processed.
   */
  List<Publish> confirmed(long sequence, boolean multiple) {
    List<Publish> out = new ArrayList<>(multiple ? 4 : 1);
    confirmed(sequence, multiple, out);
    return out;
  }

  /**
   * As {@link #confirmed(long, boolean)}, adding copies of the confirmed publishes to {@code into}
   * unless it is null (an ack needs none, and so allocates nothing).
   */
  void confirmed(long sequence, boolean multiple, List<Publish> into) {
    synchronized (unproven) {
      if (sent == null) {
        return;
      }
      advance();
      for (long i = oldestIndex; i <= published; i++) {
        Publish p = at(i);
        if (p == null) {
          continue;
        }
        if (p.sequence > sequence) {
          break;
        }
        if (p.sequence == sequence || multiple && p.sequence > 0) {
          if (into != null) {
            into.add(p.copy());
          }
          remove(p);
        } else if (p.sequence == 0) {
          remove(p); // published before confirms were selected, and processed before this confirm
        } else {
          p.processed = true;
        }
      }
      advance();
    }
  }

  int unprovenCount() {
    synchronized (unproven) {
      return unprovenCount;
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
      for (long i = sent == null ? published + 1 : Math.max(oldestIndex, published - sent.length + 1); i <= published; i++) {
        Publish p = at(i);
        if (p != null && !p.processed) {
          open.add(p.copy());
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
      if (sent != null) {
        for (Publish p : sent) {
          if (p != null && p.present) {
            remove(p);
          }
        }
      }
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
