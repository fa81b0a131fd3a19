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

  private static Delivery delivery(long tag) {
    return new Delivery(tag, Context.root(), "orders");
  }

  private Publish publish(String exchange, long sequence) {
    Publish p = new Publish(Context.root(), exchange, "order.confirmed", sequence);
    ledger.published(p);
    return p;
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
      ledger.delivered(delivery(tag));
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
      ledger.delivered(delivery(tag));
      assertThat(tags(ledger.settle(tag, true, Delivery.ACKED))).containsExactly(tag);
    }
    assertThat(ledger.unsettledCount()).isZero();
    assertThat(ledger.unseen(1500, false)).as("settled, not forgotten").isFalse();
  }

  @Test
  void deliveriesAfterTheChannelHandedEverythingBackAreTrackedAgain() {
    ledger.delivered(delivery(1));
    ledger.requeueAll();
    ledger.delivered(delivery(2));
    assertThat(tags(ledger.settle(2, true, Delivery.DROPPED))).containsExactly(2L);
  }

  @Test
  void tagZeroWithMultipleSettlesEverything() {
    ledger.delivered(delivery(7));
    ledger.delivered(delivery(8));
    assertThat(tags(ledger.settle(0, true, Delivery.REQUEUED))).containsExactly(7L, 8L);
  }

  @Test
  void aDeliverySettledTwiceIsNotUnseenButOneNeverDeliveredOrForgottenIs() {
    ChannelLedger small = new ChannelLedger(2);
    for (long tag = 1; tag <= 4; tag++) {
      small.delivered(delivery(tag));
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
    Publish second = publish("b", 2);
    publish("c", 3);
    assertThat(ledger.confirmed(2, false)).containsExactly(second);
    assertThat(ledger.unprovenCount()).isEqualTo(2);
    assertThat(ledger.confirmed(3, true)).extracting(p -> p.exchange).containsExactly("a", "c");
    assertThat(ledger.unprovenCount()).isZero();
  }

  @Test
  void aPublishRefusedByNameIsLostWithEverythingAfterItButNotWhatCameBefore() {
    publish("", 0);
    Publish refused = publish("legacy.nowhere", 0);
    Publish after = publish("", 0);
    assertThat(ledger.refusedBy(close(404, "NOT_FOUND - no exchange 'legacy.nowhere' in vhost '/'", 60, 40)))
        .containsExactly(refused, after);
  }

  @Test
  void aPublishRefusedWithoutAnExchangeNamedTakesEveryPublishNotYetProven() {
    publish("", 0);
    ledger.asking();
    ledger.roundTrip();
    Publish open = publish("", 0);
    assertThat(ledger.refusedBy(close(406, "PRECONDITION_FAILED - user_id property set to 'x'", 60, 40)))
        .containsExactly(open);
  }

  @Test
  void aFailedSettlementLosesOnlyThePublishesAfterIt() {
    publish("jewelry.orders", 0);
    ledger.settle(42, false, Delivery.ACKED);
    Publish discarded = publish("jewelry.orders", 0);
    assertThat(ledger.refusedBy(close(406, "PRECONDITION_FAILED - unknown delivery tag 42", 60, 80)))
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
    Delivery d = delivery(1);
    ledger.delivered(d);
    publish("x", 0);
    ledger.closed();
    assertThat(d.outcome).isEqualTo(Delivery.REQUEUED);
    assertThat(ledger.unsettledCount()).isZero();
    assertThat(ledger.unprovenCount()).isZero();
  }
}
