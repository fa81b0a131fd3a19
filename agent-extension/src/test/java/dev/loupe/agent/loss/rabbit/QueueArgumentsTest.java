package dev.loupe.agent.loss.rabbit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which queues dead-letter, and which discard messages on the broker's own, from their declarations. */
class QueueArgumentsTest {

  @Test
  void aQueueDeadLettersByItsDeclarationOrByTheSettingsNamesAndPrefixes() {
    QueueArguments queues = new QueueArguments(" billing.intake , legacy.policy-* ");
    queues.declared("mes.order-intake", Map.of("x-dead-letter-exchange", "jewelry.parked"));
    assertThat(queues.deadLetters("mes.order-intake")).isTrue();
    assertThat(queues.deadLetters("billing.intake")).isTrue();
    assertThat(queues.deadLetters("legacy.policy-intake")).isTrue();
    assertThat(queues.deadLetters("legacy.intake")).isFalse();
    assertThat(queues.deadLetters(null)).isFalse();
  }

  @Test
  void expiryLengthLimitsAndDeliveryLimitsWithoutADeadLetterExchangeDiscardSilently() {
    assertThat(QueueArguments.discards("q", Map.of("x-message-ttl", 60000), false)).singleElement().asString()
        .startsWith("is declared with x-message-ttl=60000 and no dead-letter exchange");
    assertThat(QueueArguments.discards("q", Map.of("x-max-length", 10), false)).singleElement().asString()
        .contains("drops its oldest messages");
    assertThat(QueueArguments.discards("q", Map.of("x-max-length-bytes", 1024, "x-overflow", "drop-head"), false))
        .singleElement().asString().contains("x-max-length-bytes=1024");
    assertThat(QueueArguments.discards("q", Map.of("x-delivery-limit", 5), false)).singleElement().asString()
        .contains("requeued more often is dropped");
    assertThat(QueueArguments.discards("q", Map.of("x-expires", 1000), true)).singleElement().asString()
        .contains("deletes it, with every message in it");
  }

  @Test
  void aDeadLetterExchangeParksWhatExpiryAndLengthLimitsWouldDiscard() {
    assertThat(QueueArguments.discards("q", Map.of("x-message-ttl", 1, "x-max-length", 1, "x-delivery-limit", 3), true))
        .isEmpty();
    assertThat(QueueArguments.discards("q", Map.of("x-max-length", 1, "x-overflow", "reject-publish-dlx"), false))
        .isEmpty();
  }

  @Test
  void aQueueThatRefusesPublishesWhenFullIsPointedOutWhateverItsDeadLetterExchange() {
    assertThat(QueueArguments.discards("q", Map.of("x-max-length", 0, "x-overflow", "reject-publish"), true))
        .singleElement().asString().contains("a publisher without confirms loses without a word");
  }
}
