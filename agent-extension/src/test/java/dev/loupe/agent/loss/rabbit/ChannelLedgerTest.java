package dev.loupe.agent.loss.rabbit;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.impl.AMQImpl;
import dev.loupe.agent.loss.rabbit.ChannelLedger.Delivery;
import dev.loupe.agent.loss.rabbit.ChannelLedger.Publish;
import dev.loupe.agent.loss.rabbit.ChannelLedger.Subscription;
import io.opentelemetry.context.Context;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which orders a settlement, a confirm or the broker closing the channel affects: the ledger's decisions. */
class ChannelLedgerTest {

  private final ChannelLedger ledger = new ChannelLedger(100);

  private static void deliver(ChannelLedger to, long tag) {
    to.delivered(tag, Context.root(), "orders");
  }

  /** The publish's index among the channel's publishes; the ledger reuses its slot, and hands out copies. */
  private long publish(String exchange, long sequence) {
    return ledger.published(Context.root(), exchange, "order.confirmed", sequence).index;
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
    ledger.requeueAll();
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
    publish("jewelry.orders", 0);
    ledger.asking();
    publish("jewelry.orders", 0); // published while the answer is on its way: not proven by it
    ledger.roundTrip();
    assertThat(ledger.unprovenCount()).isEqualTo(1);
    ledger.roundTrip(); // an answer to nothing we saw sent proves nothing
    assertThat(ledger.unprovenCount()).isEqualTo(1);
  }

  @Test
  void confirmsSettleTheirOwnSequenceOrEverythingUpToIt() {
    publish("a", 1);
    long second = publish("b", 2);
    publish("c", 3);
    assertThat(indexes(ledger.confirmed(2, false))).containsExactly(second);
    assertThat(ledger.unprovenCount()).isEqualTo(2);
    assertThat(ledger.confirmed(3, true)).extracting(p -> p.exchange).containsExactly("a", "c");
    assertThat(ledger.unprovenCount()).isZero();
  }

  @Test
  void aPublishRefusedByNameIsLostWithEverythingAfterItButNotWhatCameBefore() {
    publish("", 0);
    long refused = publish("legacy.nowhere", 0);
    long after = publish("", 0);
    assertThat(indexes(ledger.refusedBy(close(404, "NOT_FOUND - no exchange 'legacy.nowhere' in vhost '/'", 60, 40))))
        .containsExactly(refused, after);
  }

  @Test
  void aPublishRefusedWithoutAnExchangeNamedTakesEveryPublishNotYetProven() {
    publish("", 0);
    ledger.asking();
    ledger.roundTrip();
    long open = publish("", 0);
    assertThat(indexes(ledger.refusedBy(close(406, "PRECONDITION_FAILED - user_id property set to 'x'", 60, 40))))
        .containsExactly(open);
  }

  @Test
  void aFailedSettlementLosesOnlyThePublishesAfterIt() {
    publish("jewelry.orders", 0);
    ledger.settle(42, false, Delivery.ACKED);
    long discarded = publish("jewelry.orders", 0);
    assertThat(indexes(ledger.refusedBy(close(406, "PRECONDITION_FAILED - unknown delivery tag 42", 60, 80))))
        .containsExactly(discarded);
  }

  @Test
  void aFailedSynchronousCommandLosesNoPublish() {
    publish("jewelry.orders", 0);
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
    publish("x", 0);
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
      small.published(Context.root(), "e" + i, "order.confirmed", 0);
    }
    assertThat(small.unprovenCount()).isEqualTo(4);
    Publish last = small.published(Context.root(), "e7", "order.confirmed", 0);
    small.withdraw(last);
    assertThat(small.refusedBy(close(406, "PRECONDITION_FAILED - x", 60, 40)))
        .extracting(p -> p.exchange).containsExactly("e4", "e5", "e6");
  }

  @Test
  void aPublishThatThrowsAfterItsChannelClosedIsWithdrawnFromItsOwnLedgerAndNoOther() {
    // basicPublish throws because the broker went away: the connection's thread has dropped the
    // channel's ledger (and not yet closed it), so a look-up of the channel's ledger finds a new one
    ChannelLedger before = new ChannelLedger(4);
    Publish inFlight = before.published(Context.root(), "order.priced", "status", 0);
    ChannelLedger after = new ChannelLedger(4);
    assertThat(inFlight.owner).isSameAs(before);
    after.withdraw(inFlight); // threw NullPointerException and switched the sentinels off for good
    assertThat(before.unprovenCount()).as("not another ledger's to withdraw").isEqualTo(1);
    inFlight.owner.withdraw(inFlight);
    before.closed();
    assertThat(after.unprovenCount()).isZero();
    assertThat(before.unprovenCount()).isZero();
    // the new ledger works as any other
    after.published(Context.root(), "order.priced", "status", 0);
    assertThat(after.refusedBy(close(404, "NOT_FOUND - no exchange 'order.priced' in vhost '/'", 60, 40)))
        .extracting(p -> p.exchange).containsExactly("order.priced");
  }

  @Test
  void aConfirmedPublishIsCopiedOutSoItsSlotCanBeReused() {
    ChannelLedger small = new ChannelLedger(2);
    small.published(Context.root(), "a", "order.confirmed", 1);
    List<Publish> nacked = small.confirmed(1, false);
    small.published(Context.root(), "b", "order.confirmed", 2);
    small.published(Context.root(), "c", "order.confirmed", 3);
    assertThat(nacked).extracting(p -> p.exchange).containsExactly("a");
    assertThat(small.unprovenCount()).isEqualTo(2);
  }
}
