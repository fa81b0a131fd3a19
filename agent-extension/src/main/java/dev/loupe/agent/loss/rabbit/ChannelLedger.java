package dev.loupe.agent.loss.rabbit;

import com.rabbitmq.client.AMQP;
import io.opentelemetry.context.Context;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * What one channel and the broker still owe each other: the deliveries the application has not yet
 * settled, by delivery tag, each with the work (and so the order) it belongs to; the publishes the
 * broker has not yet shown it took; the channel's consumers. It decides, from those, which orders a
 * settlement, a confirm or the broker closing the channel affects; {@link RabbitLoss} reports them.
 *
 * <p>Bounded: publishes up to {@code limit} (rounded up to a power of two) behind the newest are
 * remembered, and deliveries as many tags behind the newest; beyond that the oldest is forgotten: a
 * forgotten delivery dropped later is reported without its order, a forgotten publish the broker
 * refuses or nacks is not reported (a nack then reports, without an order, only if it settles nothing
 * known). Both sit in rings of slots made once and
 * reused, so a healthy publish, delivery, acknowledgement or confirm allocates nothing. It holds no
 * reference to its channel, and is dropped when the channel closes.
 *
 * <p>Thread-safe, and without a lock on a healthy message's way ({@code RabbitLossBenchmark}, in
 * docs/overhead.md): the application's threads publish and settle while the connection's thread
 * delivers, confirms and closes. A delivery's slot is written as a sequence lock: its tag is set to
 * 0, then its fields, then the new tag, each with a release store ({@code lazySet}, a plain store on
 * x86); a reader reads the tag, the fields, and the tag again, and counts a slot rewritten meanwhile as
 * forgotten. A publish's slot is written with plain stores and then its index with a release store;
 * on a channel with confirms, a slot that still holds an unproven publish (which the broker's confirms
 * may be reading) is rewritten under the lock the answers hold. Publishes come one at a time, however many threads publish on
 * the channel: {@link #published} is called where the client writes the frames, holding the channel's
 * lock, which also numbers them for publisher confirms as the broker does, in the order it reads them.
 * A channel's deliveries come one at a time from the client's dispatcher; a {@code basicGet} on
 * another thread moves the high-water marks with compare-and-set. Settling a delivery clears its
 * context with one compare-and-set, so that a slot does not keep a settled delivery's trace alive.
 * Only what the broker answers — round trips, confirms, the channel closing — takes a lock, among
 * themselves.
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
   *
   * <p>The slot holds its delivery unsettled while {@code settledTag != tag}. The delivering thread
   * writes {@code context} and {@code queue}, then {@code tag}; the settling thread {@code outcome},
   * then {@code settledTag}.
   */
  static final class Delivery {
    static final int UNSETTLED = 0;
    static final int ACKED = 1;
    static final int DROPPED = 2;
    static final int REQUEUED = 3;

    /** The delivery tag this slot speaks for; 0 for none. Written with {@link #TAG}. */
    volatile long tag;
    /** The work the delivery began (the consumer's span, the order in its baggage); null if unknown or settled. */
    volatile Context context;
    volatile String queue;
    /** How the delivery of {@link #settledTag} was settled; {@link #UNSETTLED} before any was. */
    int outcome;
    /** The last tag settled in this slot; 0 for none. Written with {@link #SETTLED_TAG}. */
    volatile long settledTag;

    Delivery(long tag, Context context, String queue) {
      this.tag = tag;
      this.context = context;
      this.queue = queue;
    }

    /** Whether this slot still speaks for the delivery of {@code tag} and it was acknowledged. */
    boolean acked(long deliveryTag) {
      return settledTag == deliveryTag && outcome == ACKED && tag == deliveryTag;
    }

    /** Whether the slot holds the delivery of {@code deliveryTag}, not yet settled. */
    boolean holds(long deliveryTag) {
      return tag == deliveryTag && settledTag != deliveryTag;
    }
  }

  private static final AtomicLongFieldUpdater<Delivery> TAG = AtomicLongFieldUpdater.newUpdater(Delivery.class, "tag");
  private static final AtomicLongFieldUpdater<Delivery> SETTLED_TAG =
      AtomicLongFieldUpdater.newUpdater(Delivery.class, "settledTag");
  private static final AtomicReferenceFieldUpdater<Delivery, Context> DELIVERY_CONTEXT =
      AtomicReferenceFieldUpdater.newUpdater(Delivery.class, Context.class, "context");
  private static final AtomicReferenceFieldUpdater<Delivery, String> DELIVERY_QUEUE =
      AtomicReferenceFieldUpdater.newUpdater(Delivery.class, String.class, "queue");

  /**
   * A publish the broker has not yet shown it took. Slots are reused, one per publish index modulo the
   * ring's length, so that a healthy publish allocates nothing; what the ledger hands out from
   * {@link #confirmed(long, boolean, List)} and {@link #refusedBy} are copies.
   *
   * <p>The slot holds the publish of {@code index} until it is proven ({@code provenAt == index}) or
   * withdrawn ({@code withdrawnAt == index}). The publishing thread writes the publish's fields, then
   * {@code index}, and {@code withdrawnAt}; the broker's answers, under the ledger's lock,
   * {@code provenAt} and {@code processedAt}.
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
    /** The publisher-confirm sequence number, as the broker numbers it; 0 on a channel without confirms. */
    long sequence;
    /** Its place among this channel's publishes, from 1; written with {@link #INDEX}. */
    volatile long index;
    /** The index proven here: the broker took it. */
    volatile long provenAt;
    /** The index a later round trip showed processed here; only its confirm is outstanding. */
    volatile long processedAt;
    /** The index withdrawn here: writing its frames threw, the broker never saw it. */
    volatile long withdrawnAt;
    /** In a copy: whether it had been processed. */
    boolean processed;

    Publish(Context context, String exchange, String routingKey, long sequence) {
      this.context = context;
      this.exchange = exchange;
      this.routingKey = routingKey;
      this.sequence = sequence;
    }

    /** Whether the slot holds the publish of {@code i}, not yet proven nor withdrawn. */
    boolean holds(long i) {
      return index == i && provenAt != i && withdrawnAt != i;
    }
  }

  private static final AtomicLongFieldUpdater<Publish> INDEX = AtomicLongFieldUpdater.newUpdater(Publish.class, "index");
  private static final AtomicLongFieldUpdater<Publish> WITHDRAWN_AT =
      AtomicLongFieldUpdater.newUpdater(Publish.class, "withdrawnAt");
  private static final AtomicLongFieldUpdater<Publish> PROVEN_AT =
      AtomicLongFieldUpdater.newUpdater(Publish.class, "provenAt");
  private static final AtomicLongFieldUpdater<Publish> PROCESSED_AT =
      AtomicLongFieldUpdater.newUpdater(Publish.class, "processedAt");

  private final int limit;
  final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  /** {@code basicConsume} calls waiting for the broker's consume-ok, in the order they were made. */
  private final ArrayDeque<Subscription> awaitingConsumeOk = new ArrayDeque<>();

  /**
   * Deliveries by delivery tag, which a channel numbers one by one: the delivery of tag t sits at t
   * modulo the ring's length, so a delivery as many tags behind as the ring is long is forgotten when
   * its slot is needed. Made on the first delivery.
   */
  volatile AtomicReferenceArray<Delivery> ring;
  /**
   * The highest tag delivered to a consumer, and the highest forgotten unsettled by such a delivery:
   * written by the channel's dispatcher, one delivery at a time, with {@link #HIGHEST_TAG} and {@link
   * #FORGOTTEN_UP_TO}.
   */
  private volatile long highestTag;
  private volatile long forgottenUpTo;
  /**
   * The same for messages fetched with {@code basicGet}, on any thread, several at once: moved with
   * compare-and-set ({@link #HIGHEST_FETCHED}, {@link #FORGOTTEN_BY_FETCH}).
   */
  private volatile long highestFetched;
  private volatile long forgottenByFetch;
  /**
   * No delivery below this tag is unsettled: a multiple settlement settled everything up to it. Where a
   * multiple settlement starts looking; written with {@link #LOWEST_TAG}. Two threads settling with
   * {@code multiple} at once can move it back, never past an unsettled delivery.
   */
  private volatile long lowestTag = 1;

  /**
   * Publishes by their index among the channel's publishes, as deliveries are by tag: the publish of
   * index i sits at i modulo the ring's length. Made on the first publish.
   */
  volatile AtomicReferenceArray<Publish> sent;
  /** Publishes so far; written, after the publish's slot, by the one thread publishing at a time. */
  private volatile long published;
  /** Held by the broker's answers (round trips, confirms, the channel's end) while they read the publishes. */
  private final Object answers = new Object();
  /** No unproven publish below this index; guarded by {@link #answers}. */
  private long oldestIndex = 1;
  /** The publish count when the synchronous command now waiting for its answer was sent; -1 if none waits. */
  private volatile long askedAt = -1;
  /**
   * {@link #askedAt} when the broker's answer was matched to its command, before the waiting call was
   * woken (whose next command would move {@code askedAt} on); -1 if no answer is being handled.
   */
  private volatile long answeredAt = -1;
  /** A synchronous command timed out on this channel: its answers are no longer matched to their commands. */
  private volatile boolean untrusted;
  /**
   * The broker's number for the next publish on this channel once publisher confirms are selected
   * (1, 2, ...), 0 before; written only where the client writes frames, holding the channel's lock.
   */
  private long confirmNext;
  /** The publish count when the application first settled a delivery since the last round trip; -1 if it has not. */
  private volatile long settledAfter = -1;

  private static final AtomicReferenceFieldUpdater<ChannelLedger, AtomicReferenceArray> RING =
      AtomicReferenceFieldUpdater.newUpdater(ChannelLedger.class, AtomicReferenceArray.class, "ring");
  private static final AtomicReferenceFieldUpdater<ChannelLedger, AtomicReferenceArray> SENT =
      AtomicReferenceFieldUpdater.newUpdater(ChannelLedger.class, AtomicReferenceArray.class, "sent");
  private static final AtomicLongFieldUpdater<ChannelLedger> HIGHEST_TAG =
      AtomicLongFieldUpdater.newUpdater(ChannelLedger.class, "highestTag");
  private static final AtomicLongFieldUpdater<ChannelLedger> FORGOTTEN_UP_TO =
      AtomicLongFieldUpdater.newUpdater(ChannelLedger.class, "forgottenUpTo");
  private static final AtomicLongFieldUpdater<ChannelLedger> HIGHEST_FETCHED =
      AtomicLongFieldUpdater.newUpdater(ChannelLedger.class, "highestFetched");
  private static final AtomicLongFieldUpdater<ChannelLedger> FORGOTTEN_BY_FETCH =
      AtomicLongFieldUpdater.newUpdater(ChannelLedger.class, "forgottenByFetch");
  private static final AtomicLongFieldUpdater<ChannelLedger> LOWEST_TAG =
      AtomicLongFieldUpdater.newUpdater(ChannelLedger.class, "lowestTag");
  private static final AtomicLongFieldUpdater<ChannelLedger> PUBLISHED =
      AtomicLongFieldUpdater.newUpdater(ChannelLedger.class, "published");

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

  @SuppressWarnings("unchecked")
  private AtomicReferenceArray<Delivery> deliveryRing() {
    AtomicReferenceArray<Delivery> r = ring;
    if (r == null) {
      RING.compareAndSet(this, null, new AtomicReferenceArray<Delivery>(ringLength()));
      r = ring;
    }
    return r;
  }

  private static int slot(AtomicReferenceArray<?> ring, long index) {
    return (int) (index & (ring.length() - 1));
  }

  /**
   * The delivery of {@code tag} from {@code queue}, begun in {@code context} (null if unknown), which
   * the application must settle; one as many tags behind as the ring is long is forgotten. Returns its
   * slot, whose {@link Delivery#acked(long)} tells later whether it was acknowledged. Called by the
   * thread that delivers on the channel (the consumer's, or the one that called {@code basicGet}).
   */
  Delivery delivered(long tag, Context context, String queue) {
    return delivered(tag, context, queue, false);
  }

  /**
   * As {@link #delivered(long, Context, String)}; {@code fetched} for a message {@code basicGet}
   * returned, on whatever thread called it, rather than one the channel's dispatcher delivered.
   */
  Delivery delivered(long tag, Context context, String queue, boolean fetched) {
    AtomicReferenceArray<Delivery> r = deliveryRing();
    int slot = slot(r, tag);
    Delivery d = r.get(slot);
    if (d == null) {
      d = new Delivery(tag, context, queue);
      r.lazySet(slot, d);
    } else {
      long old = d.tag;
      if (old != tag && old != 0 && d.settledTag != old) {
        forgot(old, fetched);
      }
      TAG.lazySet(d, 0); // readers that see any field written below see the slot as rewritten
      DELIVERY_CONTEXT.lazySet(d, context);
      if (d.queue != queue) { // as for a publish's exchange: the same string, mostly, and no write barrier
        DELIVERY_QUEUE.lazySet(d, queue);
      }
      TAG.lazySet(d, tag);
    }
    if (!fetched) {
      if (tag > highestTag) {
        HIGHEST_TAG.lazySet(this, tag);
      }
    } else {
      for (long h = highestFetched; tag > h && !HIGHEST_FETCHED.compareAndSet(this, h, tag); h = highestFetched) {
        // another basicGet moved it meanwhile
      }
    }
    return d;
  }

  /** The delivery of {@code tag} was forgotten unsettled: its slot was needed. */
  private void forgot(long tag, boolean fetched) {
    if (!fetched) {
      if (tag > forgottenUpTo) {
        FORGOTTEN_UP_TO.lazySet(this, tag);
      }
    } else {
      for (long f = forgottenByFetch; tag > f && !FORGOTTEN_BY_FETCH.compareAndSet(this, f, tag); f = forgottenByFetch) {
        // another basicGet moved it meanwhile
      }
    }
  }

  /** The highest tag delivered or fetched. */
  private long highest() {
    return Math.max(highestTag, highestFetched);
  }

  /** The highest tag forgotten unsettled. */
  private long forgotten() {
    return Math.max(forgottenUpTo, forgottenByFetch);
  }

  /**
   * Settles the delivery of {@code tag} with {@code outcome} if it is in the ring unsettled, adding a
   * copy of it to {@code into} unless that is null.
   */
  private static boolean take(AtomicReferenceArray<Delivery> r, long tag, int outcome, List<Delivery> into) {
    Delivery d = r.get(slot(r, tag));
    if (d == null || !d.holds(tag)) {
      return false;
    }
    Context context = d.context;
    String queue = d.queue;
    if (d.tag != tag) {
      return false; // a delivery as many tags later took the slot meanwhile: this one was forgotten
    }
    if (into != null) {
      Delivery copy = new Delivery(tag, context, queue);
      copy.outcome = outcome;
      copy.settledTag = tag;
      into.add(copy);
    }
    d.outcome = outcome;
    SETTLED_TAG.lazySet(d, tag);
    if (context != null) {
      // the slot keeps only what a throwing consumer asks: its tag and outcome; unless a later
      // delivery has put its own context there meanwhile
      DELIVERY_CONTEXT.compareAndSet(d, context, null);
    }
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
    AtomicReferenceArray<Delivery> r = ring;
    if (r == null) {
      return 0;
    }
    if (!multiple) {
      return take(r, tag, outcome, into) ? 1 : 0;
    }
    long highest = highest();
    long last = tag == 0 ? highest : Math.min(tag, highest);
    int settled = 0;
    for (long t = Math.max(lowestTag, highest - r.length() + 1); t <= last; t++) {
      if (take(r, t, outcome, into)) {
        settled++;
      }
    }
    if (last + 1 > lowestTag) {
      LOWEST_TAG.lazySet(this, last + 1);
    }
    return settled;
  }

  /**
   * Whether a drop of {@code tag} that settled nothing known can still have dropped a message: true
   * for a delivery this ledger never saw or forgot to its limit; false for one it saw settled
   * already (settling it again is the application's error, which the broker answers by closing the
   * channel, and changes nothing for the message).
   */
  boolean unseen(long tag, boolean multiple) {
    long highest = highest();
    long forgotten = forgotten();
    return multiple ? tag == 0 ? forgotten > 0 : tag > highest || forgotten > 0
        : tag > highest || tag <= forgotten;
  }

  /** The highest tag delivered so far, for {@link #requeueAll(long)}. */
  long highestDelivered() {
    return highest();
  }

  /**
   * The broker takes back every unsettled delivery up to {@code upTo} ({@code basicRecover}, which
   * takes back what was delivered before it was sent, not what the broker redelivers in answer), or all
   * of them ({@code Long.MAX_VALUE}: the channel closed).
   */
  void requeueAll(long upTo) {
    AtomicReferenceArray<Delivery> r = ring;
    if (r == null) {
      return;
    }
    for (int i = 0; i < r.length(); i++) {
      Delivery d = r.get(i);
      long t = d == null ? 0 : d.tag;
      if (d != null && t <= upTo && d.holds(t)) {
        Context context = d.context;
        d.outcome = Delivery.REQUEUED;
        SETTLED_TAG.lazySet(d, t);
        if (context != null) {
          DELIVERY_CONTEXT.compareAndSet(d, context, null);
        }
      }
    }
    long settledUpTo = Math.min(upTo, highest());
    if (settledUpTo + 1 > lowestTag) {
      LOWEST_TAG.lazySet(this, settledUpTo + 1);
    }
  }

  /** How many deliveries are unsettled in the ring; counts them (tests and diagnostics, not the hot path). */
  int unsettledCount() {
    AtomicReferenceArray<Delivery> r = ring;
    int count = 0;
    for (int i = 0; r != null && i < r.length(); i++) {
      Delivery d = r.get(i);
      if (d != null && d.holds(d.tag)) {
        count++;
      }
    }
    return count;
  }

  // --- publishes --------------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private AtomicReferenceArray<Publish> publishRing() {
    AtomicReferenceArray<Publish> s = sent;
    if (s == null) {
      SENT.compareAndSet(this, null, new AtomicReferenceArray<Publish>(ringLength()));
      s = sent;
    }
    return s;
  }

  /**
   * Publisher confirms were selected on the channel ({@code confirm.select} is being sent): from the
   * next publish on, the broker numbers publishes 1, 2, ... Called, as {@link #published}, holding the
   * client's channel lock.
   */
  void confirmsSelected() {
    if (confirmNext == 0) {
      confirmNext = 1;
    }
  }

  /**
   * A publish to {@code exchange} with {@code routingKey}, made in {@code context}, that the broker has
   * not yet shown it took; numbered for publisher confirms as the broker numbers it, if they were
   * selected. The oldest is forgotten beyond the ring's length. Returns its slot, for {@link #withdraw}.
   * Must be called one publish at a time, in the order the frames are written: {@link
   * RabbitLoss#transmitting} calls it with the client's channel lock held.
   */
  Publish published(Context context, String exchange, String routingKey) {
    AtomicReferenceArray<Publish> s = publishRing();
    long sequence = confirmNext;
    if (sequence > 0) {
      confirmNext = sequence + 1;
    }
    long index = published + 1;
    int slot = slot(s, index);
    Publish p = s.get(slot);
    if (p == null) {
      p = new Publish(context, exchange, routingKey, sequence);
      p.owner = this;
      p.index = index;
      s.lazySet(slot, p);
    } else if (confirmNext > 0 && p.holds(p.index)) {
      // a publish on a channel with confirms is forgotten unproven: the broker's confirms may be reading it
      synchronized (answers) {
        rewrite(p, context, exchange, routingKey, sequence, index);
      }
    } else {
      // proven or withdrawn, or on a channel without confirms: no answer reads its fields any more (a
      // round trip reads only its sequence, 0 either way, and the channel's end comes after the last publish)
      rewrite(p, context, exchange, routingKey, sequence, index);
    }
    PUBLISHED.lazySet(this, index);
    return p;
  }

  /** Puts a publish in slot {@code p}: its fields, then its index, with a release store. */
  private static void rewrite(Publish p, Context context, String exchange, String routingKey, long sequence, long index) {
    p.context = context;
    // a reference stored into a long-lived slot costs the collector's write barrier; a channel mostly
    // publishes to the same few exchanges and keys, whose strings the slot then holds already
    if (p.exchange != exchange) {
      p.exchange = exchange;
    }
    if (p.routingKey != routingKey) {
      p.routingKey = routingKey;
    }
    p.sequence = sequence;
    INDEX.lazySet(p, index);
  }

  /**
   * The publish never went out: writing its frames threw (before any frame was written, or the
   * connection is broken anyway). {@code publish} is the slot {@link
   * #published} returned, and the caller still holds the channel's lock it published under, so no
   * later publish has taken the slot; it is withdrawn only from the ledger that took it.
   */
  void withdraw(Publish publish) {
    long i = publish.index;
    if (publish.owner == this && publish.holds(i)) {
      WITHDRAWN_AT.lazySet(publish, i);
      if (publish.sequence > 0 && publish.sequence == confirmNext - 1) {
        confirmNext--; // the broker never saw it, and numbers the next publish as it would have this one
      }
    }
  }

  /** The slot holding the unproven publish of {@code index}, or null. */
  private static Publish at(AtomicReferenceArray<Publish> s, long index) {
    Publish p = s.get(slot(s, index));
    return p != null && p.holds(index) ? p : null;
  }

  /**
   * A copy of the publish of {@code index} in slot {@code p}, or null if a later publish took the slot
   * while it was read (this one is then forgotten).
   */
  private static Publish copy(Publish p, long index) {
    Publish c = new Publish(p.context, p.exchange, p.routingKey, p.sequence);
    c.index = index;
    c.processed = p.processedAt == index;
    return p.index == index ? c : null;
  }

  /** Moves {@link #oldestIndex} past what is no longer unproven: proven, withdrawn or forgotten. Holds {@link #answers}. */
  private void advance(AtomicReferenceArray<Publish> s, long upTo) {
    oldestIndex = Math.max(oldestIndex, upTo - s.length() + 1);
    while (oldestIndex <= upTo && at(s, oldestIndex) == null) {
      oldestIndex++;
    }
  }

  /** A synchronous command is about to be sent; the channel sends nothing else until it is. */
  void asking() {
    askedAt = published;
  }

  /**
   * The publish count when the command whose answer is about to be matched was sent: read while that
   * command is still the channel's only outstanding one (no other can be sent until its answer is
   * matched); -1 if none, or if round trips no longer prove anything here.
   */
  long answering() {
    return untrusted ? -1 : askedAt;
  }

  /**
   * The broker's answer to the synchronous command sent at publish count {@code asked} (from {@link
   * #answering}) was matched to it, on the connection's thread, before the call waiting for it is woken:
   * what it proves is taken now, as the woken call may send another command at once.
   */
  void answered(long asked) {
    answeredAt = untrusted ? -1 : asked;
    if (askedAt == asked) {
      askedAt = -1;
    }
  }

  /**
   * The client gave up waiting for an answer (a timeout): the command is finished without one, and a
   * late answer may later be matched to the next command. From here on no round trip on this channel
   * proves a publish; confirms and the channel's end still do.
   */
  void abandoned() {
    untrusted = true;
    askedAt = -1;
    answeredAt = -1;
  }

  /**
   * The synchronous command was answered: the broker processed everything sent on the channel before
   * it, without closing the channel. Those publishes without confirms are done with; those with
   * confirms now wait only for their confirm. Only an answer {@link #answered} counts, and none after a
   * command was {@link #abandoned}.
   */
  void roundTrip() {
    long upTo = answeredAt;
    answeredAt = -1;
    if (upTo < 0) {
      return;
    }
    settledAfter = -1;
    AtomicReferenceArray<Publish> s = sent;
    if (s == null) {
      return;
    }
    synchronized (answers) {
      advance(s, published);
      for (long i = oldestIndex; i <= upTo; i++) {
        Publish p = at(s, i);
        if (p == null) {
          continue;
        }
        if (p.sequence == 0) {
          PROVEN_AT.lazySet(p, i);
        } else {
          PROCESSED_AT.lazySet(p, i);
        }
      }
      advance(s, published);
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
    AtomicReferenceArray<Publish> s = sent;
    if (s == null) {
      return;
    }
    synchronized (answers) {
      long upTo = published;
      advance(s, upTo);
      for (long i = oldestIndex; i <= upTo; i++) {
        Publish p = at(s, i);
        if (p == null) {
          continue;
        }
        long seq = p.sequence;
        if (p.index != i) {
          continue; // rewritten by a publish as many later while read: this one was forgotten
        }
        if (seq > sequence) {
          break;
        }
        if (seq == sequence || multiple && seq > 0) {
          if (into != null) {
            Publish c = copy(p, i);
            if (c != null) {
              into.add(c);
            }
          }
          PROVEN_AT.lazySet(p, i);
        } else if (seq == 0) {
          PROVEN_AT.lazySet(p, i); // published before confirms were selected, and processed before this confirm
        } else {
          PROCESSED_AT.lazySet(p, i);
        }
      }
      advance(s, upTo);
    }
  }

  /** How many publishes are unproven in the ring; counts them (tests and diagnostics, not the hot path). */
  int unprovenCount() {
    AtomicReferenceArray<Publish> s = sent;
    int count = 0;
    for (int i = 0; s != null && i < s.length(); i++) {
      Publish p = s.get(i);
      if (p != null && p.holds(p.index)) {
        count++;
      }
    }
    return count;
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
    AtomicReferenceArray<Publish> s = sent;
    List<Publish> open = new ArrayList<>();
    synchronized (answers) {
      long upTo = published;
      for (long i = s == null ? upTo + 1 : Math.max(oldestIndex, upTo - s.length() + 1); i <= upTo; i++) {
        Publish p = at(s, i);
        Publish c = p == null ? null : copy(p, i);
        if (c != null && !c.processed) {
          open.add(c);
        }
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

  /** The channel is gone: the broker takes back its unsettled deliveries; nothing more is owed. */
  void closed() {
    closed = true;
    requeueAll(Long.MAX_VALUE);
    AtomicReferenceArray<Publish> s = sent;
    if (s == null) {
      return;
    }
    synchronized (answers) {
      for (int i = 0; i < s.length(); i++) {
        Publish p = s.get(i);
        long index = p == null ? 0 : p.index;
        if (p != null && p.holds(index)) {
          PROVEN_AT.lazySet(p, index);
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
