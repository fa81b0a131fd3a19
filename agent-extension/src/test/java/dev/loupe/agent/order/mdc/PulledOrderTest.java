package dev.loupe.agent.order.mdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When a pulled message's order is in hand on the pulling thread, and when it is let go. */
class PulledOrderTest {

  private final Object channel = new Object();
  private final Object otherChannel = new Object();
  private final Object request = new Object();

  @AfterEach
  void letGo() {
    PulledOrder.pulled(channel, 0, false, null, null);
  }

  @Test
  void aManuallyAcknowledgedMessageIsInHandUntilItsOwnTagIsSettledOnItsChannel() {
    PulledOrder.pulled(channel, 7, false, "JW-1", null);
    PulledOrder.settled(channel, 6, false);
    PulledOrder.settled(otherChannel, 7, false);
    assertThat(PulledOrder.forWork(null)).isEqualTo("JW-1");
    PulledOrder.settled(channel, 7, false);
    assertThat(PulledOrder.forWork(null)).isNull();
  }

  @Test
  void settlingSeveralAtOnceLetsGoOfTheMessageOnlyWhenItIsAmongThem() {
    PulledOrder.pulled(channel, 7, false, "JW-1", null);
    PulledOrder.settled(channel, 6, true);
    assertThat(PulledOrder.forWork(null)).isEqualTo("JW-1");
    PulledOrder.settled(channel, 9, true);
    assertThat(PulledOrder.forWork(null)).isNull();
  }

  @Test
  void theNextPullReplacesTheMessageInHandAndAPullWithoutOrderLeavesNone() {
    PulledOrder.pulled(channel, 1, true, "JW-1", null);
    PulledOrder.pulled(channel, 2, true, "JW-2", null);
    assertThat(PulledOrder.forWork(null)).isEqualTo("JW-2");
    PulledOrder.pulled(channel, 3, true, null, null);
    assertThat(PulledOrder.forWork(null)).isNull();
  }

  @Test
  void aMessageIsInHandOnlyOnThePullingThread() throws Exception {
    PulledOrder.pulled(channel, 1, false, "JW-1", null);
    assertThat(CompletableFuture.supplyAsync(() -> PulledOrder.forWork(null)).get()).isNull();
    assertThat(PulledOrder.forWork(null)).isEqualTo("JW-1");
  }

  @Test
  void inAnotherRequestAManualMessageIsNotInHandAndAnAutoAckedOneIsDropped() {
    PulledOrder.pulled(channel, 1, false, "JW-1", null);
    assertThat(PulledOrder.forWork(request)).isNull();
    assertThat(PulledOrder.forWork(null)).isEqualTo("JW-1");
    PulledOrder.pulled(channel, 2, true, "JW-2", null);
    assertThat(PulledOrder.forWork(request)).isNull();
    assertThat(PulledOrder.forWork(null)).isNull();
  }

  @Test
  void aMessagePulledInsideARequestIsInHandForThatRequest() {
    PulledOrder.pulled(channel, 1, true, "JW-1", request);
    assertThat(PulledOrder.forWork(request)).isEqualTo("JW-1");
  }
}
