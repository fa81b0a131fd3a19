package dev.loupe.agent.loss.rabbit;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.impl.ChannelN;
import dev.loupe.agent.harness.NowhereChannels;
import org.junit.jupiter.api.Test;

/** A consumer's tag is known from its consume-ok until it is cancelled or its channel closes, and no longer. */
class ConsumerTagsTest {

  @Test
  void aCancelledConsumersTagIsForgottenSoThatConsumingAndCancellingOnOneChannelDoesNotGrow() throws Exception {
    ChannelN channel = NowhereChannels.open(1)[0];
    for (int i = 0; i < 1000; i++) {
      String tag = "legacy-poller-" + i;
      Object subscribing = RabbitLoss.subscribing(channel, "legacy.intake", false, tag);
      RabbitLoss.subscribed(subscribing, tag, null);
      assertThat(RabbitLoss.knowsConsumer(tag)).isTrue();
      RabbitLoss.cancelled(channel, tag, null);
      assertThat(RabbitLoss.knowsConsumer(tag)).isFalse();
    }
    assertThat(RabbitLoss.ledger(channel).subscriptions).isEmpty();
  }

  @Test
  void aCancelThatFailedForgetsNothing() throws Exception {
    ChannelN channel = NowhereChannels.open(1)[0];
    Object subscribing = RabbitLoss.subscribing(channel, "legacy.intake", true, "legacy-still-here");
    RabbitLoss.subscribed(subscribing, "legacy-still-here", null);
    RabbitLoss.cancelled(channel, "legacy-still-here", new java.io.IOException("channel closed"));
    assertThat(RabbitLoss.knowsConsumer("legacy-still-here")).isTrue();
  }
}
