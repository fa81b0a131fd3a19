package dev.loupe.agent.loss.rabbit;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.impl.AMQImpl;
import dev.loupe.agent.loss.rabbit.ChannelLedger.Delivery;
import dev.loupe.agent.loss.rabbit.ChannelLedger.Publish;
import dev.loupe.agent.loss.rabbit.ChannelLedger.Subscription;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Which orders a settlement, a confirm or the broker closing the channel affects: the ledger's decisions. */
class ChannelLedgerTest {

  private final ChannelLedger ledger = new ChannelLedger(100);

  private static void deliver(ChannelLedger to, long tag) {
    to.delivered(tag, Context.root(), "orders");
  }

  /** The publish's index among the channel's publishes; the ledger reuses its slot, and hands out copies. */
  private long publish(String exchange) {
    return ledger.published(Context.root(), exchange, "order.confirmed").index;
  }

  private static List<Long> indexes(List<Publish> publishes) {
    return publishes.stream().map(p -> p.index).toList();
  }

  private static AMQImpl.Channel.Close close(int code, String text, int classId, int methodId) {
    return new AMQImpl.Channel.Close(code, text, classId, methodId);
  }

  private static List<Long> tags(List<Delivery> deliveries) {
    return deliveries.stream().map(d -> d.tag).toList();
  }

  @Test
  void aMultipleSettlementTakesEveryUnsettledDeliveryUpToItsTagAndNoMore() {
    for (long tag = 1; tag <= 5; tag++) {
      deliver(ledger, tag);
    }
    assertThat(tags(ledger.settle(2, false, Delivery.ACKED))).containsExactly(2L);
    List<Delivery> dropped = ledger.settle(4, true, Delivery.DROPPED);
    assertThat(tags(dropped)).containsExactly(1L, 3L, 4L);
    assertThat(dropped).allSatisfy(d -> assertThat(d.outcome).isEqualTo(Delivery.DROPPED));
    assertThat(ledger.unsettledCount()).isEqualTo(1);
  }

  @Test
  void aConsumerThatAcknowledgesEachDeliveryWithMultipleAsSpringDoesSettlesOneAtATime() {
    for (long tag = 1; tag <= 2000; tag++) {
      deliver(ledger, tag);
      assertThat(tags(ledger.settle(tag, true, Delivery.ACKED))).containsExactly(tag);
    }
    assertThat(ledger.unsettledCount()).isZero();
    assertThat(ledger.unseen(1500, false)).as("settled, not forgotten").isFalse();
  }

  @Test
  void deliveriesAfterTheChannelHandedEverythingBackAreTrackedAgain() {
    deliver(ledger, 1);
    ledger.requeueAll(Long.MAX_VALUE);
    deliver(ledger, 2);
    assertThat(tags(ledger.settle(2, true, Delivery.DROPPED))).containsExactly(2L);
  }

  @Test
  void aDeliveryWhoseTagJumpsPastSlotsNeverFilledIsSettledLikeAnyOther() {
    ChannelLedger small = new ChannelLedger(100); // a ring of 128 slots, 11 to 127 never filled
    for (long tag = 1; tag <= 10; tag++) {
      deliver(small, tag);
      small.settle(tag, false, Delivery.ACKED);
    }
    deliver(small, 300);
    assertThat(tags(small.settle(300, false, Delivery.DROPPED))).containsExactly(300L);
    deliver(small, 301);
    assertThat(tags(small.settle(301, false, Delivery.DROPPED))).containsExactly(301L);
  }

  @Test
  void tagZeroWithMultipleSettlesEverything() {
    deliver(ledger, 7);
    deliver(ledger, 8);
    assertThat(tags(ledger.settle(0, true, Delivery.REQUEUED))).containsExactly(7L, 8L);
  }

  @Test
  void aDeliverySettledTwiceIsNotUnseenButOneNeverDeliveredOrForgottenIs() {
    ChannelLedger small = new ChannelLedger(2);
    for (long tag = 1; tag <= 4; tag++) {
      deliver(small, tag);
    }
    assertThat(small.unsettledCount()).isEqualTo(2);
    assertThat(small.unseen(1, false)).as("forgotten to the limit").isTrue();
    assertThat(small.settle(3, false, Delivery.DROPPED)).hasSize(1);
    assertThat(small.unseen(3, false)).as("settled already").isFalse();
    assertThat(small.unseen(9, false)).as("never delivered here").isTrue();
  }

  @Test
  void aRoundTripProvesOnlyWhatWasPublishedBeforeTheCommandWasSent() {
    publish("jewelry.orders");
    ledger.asking();
    publish("jewelry.orders"); // published while the answer is on its way: not proven by it
    ledger.answered(ledger.answering());
    ledger.roundTrip();
    assertThat(ledger.unprovenCount()).isEqualTo(1);
    ledger.roundTrip(); // an answer to nothing we saw sent proves nothing
    assertThat(ledger.unprovenCount()).isEqualTo(1);
  }

  @Test
  void whatACommandProvesIsTakenWhenItsAnswerIsMatchedNotWhenItsCallerHasSentTheNext() {
    publish("jewelry.orders");
    ledger.asking(); // queue.declare
    ledger.answered(ledger.answering()); // the answer is matched; the caller wakes and goes on at once
    long afterIt = publish("legacy.nowhere");
    ledger.asking(); // its next synchronous command, sent before markRpcFinished ran for the first
    ledger.roundTrip();
    assertThat(indexes(ledger.refusedBy(close(404, "NOT_FOUND - no exchange 'legacy.nowhere' in vhost '/'", 60, 40))))
        .containsExactly(afterIt);
  }

  @Test
  void aCommandThatTimedOutProvesNothingAndNoLaterAnswerOnItsChannelDoes() {
    publish("jewelry.orders");
    ledger.asking();
    ledger.abandoned(); // cleanRpcChannelState: the client gives up waiting
    ledger.answered(ledger.answering()); // it then matches and finishes the abandoned command itself
    ledger.roundTrip();
    assertThat(ledger.unprovenCount()).isEqualTo(1);
    ledger.asking(); // the next command: the late answer to the first may be matched to it
    ledger.answered(ledger.answering());
    ledger.roundTrip();
    assertThat(ledger.unprovenCount()).isEqualTo(1);
  }

  @Test
  void anAnswerProvesWhatItsOwnCommandWasSentAfterEvenWhenTheNextCommandIsSentBeforeItIsTaken() {
    publish("jewelry.orders");
    ledger.asking(); // command 1, after publish 1
    long asked = ledger.answering(); // its answer is about to be matched
    long second = publish("legacy.nowhere"); // the woken caller publishes and sends command 2 at once
    ledger.asking();
    ledger.answered(asked); // only now does the matching thread take what command 1 proves
    ledger.roundTrip();
    assertThat(indexes(ledger.refusedBy(close(404, "NOT_FOUND - no exchange 'legacy.nowhere' in vhost '/'", 60, 40))))
        .containsExactly(second);
    ledger.answered(ledger.answering()); // command 2's answer
    ledger.roundTrip();
    assertThat(ledger.unprovenCount()).isZero();
  }

  @Test
  void confirmsAreNumberedAsTheBrokerNumbersThemAndAWithdrawnPublishGivesItsNumberBack() {
    publish("before-select");
    ledger.confirmsSelected();
    Publish first = ledger.published(Context.root(), "a", "order.confirmed");
    Publish refusedByTheClient = ledger.published(Context.root(), "too-big", "order.confirmed");
    assertThat(refusedByTheClient.sequence).isEqualTo(2);
    ledger.withdraw(refusedByTheClient); // the frame was too big: nothing went out
    Publish second = ledger.published(Context.root(), "b", "order.confirmed");
    ledger.confirmsSelected(); // selecting again changes nothing
    Publish third = ledger.published(Context.root(), "c", "order.confirmed");
    assertThat(List.of(first.sequence, second.sequence, third.sequence)).containsExactly(1L, 2L, 3L);
    assertThat(ledger.confirmed(2, false)).extracting(p -> p.exchange).containsExactly("b");
  }

  @Test
  void basicRecoverTakesBackOnlyWhatWasDeliveredBeforeIt() {
    deliver(ledger, 1);
    long upTo = ledger.highestDelivered();
    deliver(ledger, 2); // redelivered in answer to the recover, before its call returned
    ledger.requeueAll(upTo);
    assertThat(tags(ledger.settle(0, true, Delivery.DROPPED))).containsExactly(2L);
  }

  @Test
  void aMessageFetchedOnAnotherThreadCountsTowardsTheHighestTag() {
    deliver(ledger, 1);
    ledger.delivered(2, Context.root(), "orders", true);
    assertThat(ledger.unseen(2, false)).isFalse();
    assertThat(tags(ledger.settle(2, true, Delivery.DROPPED))).containsExactly(1L, 2L);
  }

  @Test
  void confirmsSettleTheirOwnSequenceOrEverythingUpToIt() {
    ledger.confirmsSelected();
    publish("a");
    long second = publish("b");
    publish("c");
    assertThat(indexes(ledger.confirmed(2, false))).containsExactly(second);
    assertThat(ledger.unprovenCount()).isEqualTo(2);
    assertThat(ledger.confirmed(3, true)).extracting(p -> p.exchange).containsExactly("a", "c");
    assertThat(ledger.unprovenCount()).isZero();
  }

  @Test
  void aPublishRefusedByNameIsLostWithEverythingAfterItButNotWhatCameBefore() {
    publish("");
    long refused = publish("legacy.nowhere");
    long after = publish("");
    assertThat(indexes(ledger.refusedBy(close(404, "NOT_FOUND - no exchange 'legacy.nowhere' in vhost '/'", 60, 40))))
        .containsExactly(refused, after);
  }

  @Test
  void aPublishRefusedWithoutAnExchangeNamedTakesEveryPublishNotYetProven() {
    publish("");
    ledger.asking();
    ledger.answered(ledger.answering());
    ledger.roundTrip();
    long open = publish("");
    assertThat(indexes(ledger.refusedBy(close(406, "PRECONDITION_FAILED - user_id property set to 'x'", 60, 40))))
        .containsExactly(open);
  }

  @Test
  void aFailedSettlementLosesOnlyThePublishesAfterIt() {
    publish("jewelry.orders");
    ledger.settle(42, false, Delivery.ACKED);
    long discarded = publish("jewelry.orders");
    assertThat(indexes(ledger.refusedBy(close(406, "PRECONDITION_FAILED - unknown delivery tag 42", 60, 80))))
        .containsExactly(discarded);
  }

  @Test
  void aFailedSynchronousCommandLosesNoPublish() {
    publish("jewelry.orders");
    assertThat(ledger.refusedBy(close(404, "NOT_FOUND - no queue 'x' in vhost '/'", 50, 10))).isEmpty();
  }

  @Test
  void aConsumeOkGoesToTheCallThatAskedForItsTagElseToTheOldestThatLetTheBrokerChoose() {
    Subscription any = new Subscription(ledger, "a", false, "");
    Subscription named = new Subscription(ledger, "b", true, "mes-order-intake");
    ledger.consuming(any);
    ledger.consuming(named);
    assertThat(ledger.consumeOk("mes-order-intake")).isSameAs(named);
    assertThat(ledger.consumeOk("amq.ctag-1")).isSameAs(any);
    assertThat(ledger.consumeOk("amq.ctag-2")).isNull();
  }

  @Test
  void theBrokerNamesTheExchangeInItsReplyText() {
    assertThat(ChannelLedger.exchangeIn("ACCESS_REFUSED - cannot publish to internal exchange 'legacy.internal' in vhost '/'"))
        .isEqualTo("legacy.internal");
    assertThat(ChannelLedger.exchangeIn("PRECONDITION_FAILED - user_id property set to 'x'")).isNull();
    assertThat(ChannelLedger.exchangeIn(null)).isNull();
  }

  @Test
  void aClosedChannelHandsBackEveryUnsettledDelivery() {
    Delivery d = ledger.delivered(1, Context.root(), "orders");
    publish("x");
    ledger.closed();
    assertThat(d.outcome).isEqualTo(Delivery.REQUEUED);
    assertThat(ledger.unsettledCount()).isZero();
    assertThat(ledger.unprovenCount()).isZero();
  }

  @Test
  void aSlotKeepsWhetherItsDeliveryWasAcknowledgedUntilALaterDeliveryTakesIt() {
    ChannelLedger small = new ChannelLedger(4);
    Delivery slot = small.delivered(1, Context.root(), "orders");
    assertThat(slot.acked(1)).as("unsettled").isFalse();
    small.settle(1, false, Delivery.ACKED, null);
    assertThat(slot.acked(1)).isTrue();
    assertThat(small.delivered(5, Context.root(), "orders")).as("the same slot, reused").isSameAs(slot);
    assertThat(slot.acked(1)).as("the slot now speaks for tag 5").isFalse();
  }

  @Test
  void publishesOverTheLimitForgetTheOldestAndAWithdrawnPublishIsNotRefused() {
    ChannelLedger small = new ChannelLedger(4);
    for (int i = 1; i <= 6; i++) {
      small.published(Context.root(), "e" + i, "order.confirmed");
    }
    assertThat(small.unprovenCount()).isEqualTo(4);
    Publish last = small.published(Context.root(), "e7", "order.confirmed");
    small.withdraw(last);
    assertThat(small.refusedBy(close(406, "PRECONDITION_FAILED - x", 60, 40)))
        .extracting(p -> p.exchange).containsExactly("e4", "e5", "e6");
  }

  @Test
  void aPublishThatThrowsAfterItsChannelClosedIsWithdrawnFromItsOwnLedgerAndNoOther() {
    // basicPublish throws because the broker went away: the connection's thread has dropped the
    // channel's ledger (and not yet closed it), so a look-up of the channel's ledger finds a new one
    ChannelLedger before = new ChannelLedger(4);
    Publish inFlight = before.published(Context.root(), "order.priced", "status");
    ChannelLedger after = new ChannelLedger(4);
    assertThat(inFlight.owner).isSameAs(before);
    after.withdraw(inFlight); // threw NullPointerException and switched the sentinels off for good
    assertThat(before.unprovenCount()).as("not another ledger's to withdraw").isEqualTo(1);
    inFlight.owner.withdraw(inFlight);
    before.closed();
    assertThat(after.unprovenCount()).isZero();
    assertThat(before.unprovenCount()).isZero();
    // the new ledger works as any other
    after.published(Context.root(), "order.priced", "status");
    assertThat(after.refusedBy(close(404, "NOT_FOUND - no exchange 'order.priced' in vhost '/'", 60, 40)))
        .extracting(p -> p.exchange).containsExactly("order.priced");
  }

  @Test
  void aConfirmedPublishIsCopiedOutSoItsSlotCanBeReused() {
    ChannelLedger small = new ChannelLedger(2);
    small.confirmsSelected();
    small.published(Context.root(), "a", "order.confirmed");
    List<Publish> nacked = small.confirmed(1, false);
    small.published(Context.root(), "b", "order.confirmed");
    small.published(Context.root(), "c", "order.confirmed");
    assertThat(nacked).extracting(p -> p.exchange).containsExactly("a");
    assertThat(small.unprovenCount()).isEqualTo(2);
  }

  private static final ContextKey<String> ORDER = ContextKey.named("order");

  private static Context order(String id) {
    return Context.root().with(ORDER, id);
  }

  /**
   * Four threads publish on one channel at once, one at a time under the channel's lock as the
   * client writes them, while the connection's thread reads the ledger; the broker then refuses
   * without naming an exchange. Every publish is named once, each with its own order — none lost,
   * none mixed with another's fields.
   */
  @Test
  void publishesFromManyThreadsAreEachNamedOnceWithTheirOwnOrder() throws Exception {
    ChannelLedger shared = new ChannelLedger(512);
    Object channelLock = new Object();
    ExecutorService pool = Executors.newFixedThreadPool(5);
    try {
      List<Future<?>> publishers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        publishers.add(pool.submit(() -> {
          for (int n = 0; n < 120; n++) {
            String id = "JW-" + thread + "-" + n;
            synchronized (channelLock) {
              shared.published(order(id), id, "order.confirmed");
            }
          }
        }));
      }
      Future<?> reader = pool.submit(() -> {
        while (!publishers.stream().allMatch(Future::isDone)) {
          shared.unprovenCount();
          shared.refusedBy(close(404, "NOT_FOUND - no queue 'x' in vhost '/'", 50, 10)); // reads every publish, refuses none
        }
      });
      for (Future<?> f : publishers) {
        f.get(30, TimeUnit.SECONDS);
      }
      reader.get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    List<Publish> refused = shared.refusedBy(close(406, "PRECONDITION_FAILED - x", 60, 40));
    assertThat(refused).hasSize(480);
    assertThat(refused).allSatisfy(p -> assertThat(p.context.get(ORDER)).isEqualTo(p.exchange));
    assertThat(refused.stream().map(p -> p.exchange).distinct().count()).isEqualTo(480);
    assertThat(indexes(refused)).isSorted();
  }

  /**
   * Publishes with confirms on the application's thread while the connection's thread confirms them
   * as they come (every seventh nacked), as far behind as the broker lets it fall: each nack names its
   * own publish and order, and nothing is left unproven.
   */
  @Test
  void confirmsArrivingWhilePublishesGoOnNameEachNackedPublishAndLeaveNothingUnproven() throws Exception {
    ChannelLedger shared = new ChannelLedger(512);
    int count = 20_000;
    AtomicLong sentUpTo = new AtomicLong();
    AtomicLong confirmedUpTo = new AtomicLong();
    List<Publish> nacked = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      shared.confirmsSelected();
      Future<?> publisher = pool.submit(() -> {
        for (long seq = 1; seq <= count; seq++) {
          while (seq - confirmedUpTo.get() > 256) {
            Thread.onSpinWait(); // the broker's confirms lag at most this far behind here
          }
          shared.published(order("JW-" + seq), "jewelry.orders", "order." + seq);
          sentUpTo.set(seq);
        }
      });
      Future<?> broker = pool.submit(() -> {
        for (long seq = 1; seq <= count; seq++) {
          while (sentUpTo.get() < seq) {
            Thread.onSpinWait();
          }
          if (seq % 7 == 0) {
            nacked.addAll(shared.confirmed(seq, false));
          } else {
            shared.confirmed(seq, seq % 3 == 0, null);
          }
          confirmedUpTo.set(seq);
        }
      });
      publisher.get(60, TimeUnit.SECONDS);
      broker.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertThat(nacked).hasSize(count / 7);
    assertThat(nacked).allSatisfy(p -> {
      assertThat(p.sequence % 7).isZero();
      assertThat(p.routingKey).isEqualTo("order." + p.sequence);
      assertThat(p.context.get(ORDER)).isEqualTo("JW-" + p.sequence);
    });
    assertThat(shared.unprovenCount()).isZero();
  }

  /**
   * The consumer's thread delivers while three worker threads settle what it hands them (every fifth
   * rejected without requeue), as an application with a worker pool does: each rejection names its
   * own delivery and order, and nothing is left unsettled or counted as forgotten.
   */
  @Test
  void deliveriesSettledByWorkerThreadsAreEachSettledOnceWithTheirOwnOrder() throws Exception {
    ChannelLedger shared = new ChannelLedger(512);
    int count = 20_000;
    BlockingQueue<Long> handedOver = new LinkedBlockingQueue<>();
    // the ledger remembers deliveries as many tags behind the newest as its limit: here the oldest
    // unsettled is never further behind than half of it
    ConcurrentSkipListSet<Long> unsettled = new ConcurrentSkipListSet<>();
    List<Delivery> rejected = Collections.synchronizedList(new ArrayList<>());
    AtomicLong settledCount = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Future<?> consumer = pool.submit(() -> {
        for (long tag = 1; tag <= count; tag++) {
          for (Long oldest = unsettled.ceiling(0L); oldest != null && tag - oldest >= 256; oldest = unsettled.ceiling(0L)) {
            Thread.onSpinWait();
          }
          unsettled.add(tag);
          shared.delivered(tag, order("JW-" + tag), "crm.orders");
          handedOver.put(tag);
        }
        for (int i = 0; i < 3; i++) {
          handedOver.put(-1L);
        }
        return null;
      });
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        workers.add(pool.submit(() -> {
          for (long tag = handedOver.take(); tag > 0; tag = handedOver.take()) {
            if (tag % 5 == 0) {
              rejected.addAll(shared.settle(tag, false, Delivery.DROPPED));
            } else {
              assertThat(shared.settle(tag, false, Delivery.ACKED, null)).isEqualTo(1);
            }
            settledCount.incrementAndGet();
            unsettled.remove(tag);
          }
          return null;
        }));
      }
      consumer.get(60, TimeUnit.SECONDS);
      for (Future<?> f : workers) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(settledCount.get()).isEqualTo(count);
    assertThat(rejected).hasSize(count / 5);
    assertThat(rejected).allSatisfy(d -> {
      assertThat(d.tag % 5).isZero();
      assertThat(d.context.get(ORDER)).isEqualTo("JW-" + d.tag);
      assertThat(d.queue).isEqualTo("crm.orders");
    });
    assertThat(shared.unsettledCount()).isZero();
    assertThat(shared.unseen(count - 1, false)).as("settled, not forgotten").isFalse();
  }
}
