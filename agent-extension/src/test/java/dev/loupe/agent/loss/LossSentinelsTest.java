package dev.loupe.agent.loss;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sentinels' settings: defaults, what is handed to the instrumentation, and each bad value by name. */
class LossSentinelsTest {

  private static String configure(Map<String, String> settings, java.util.List<String> problems) {
    MessagingSettings parsed = MessagingSettings.from(DefaultConfigProperties.createFromMap(settings));
    problems.addAll(parsed.problems());
    new LossSentinels().configure(parsed);
    return parsed.describe();
  }

  @Test
  void theDefaultsTrackFiveHundredTwelvePerChannelAndNameAHundredDestinations() {
    java.util.List<String> problems = new java.util.ArrayList<>();
    assertThat(configure(Map.of(), problems)).isEqualTo(
        "detect-unroutable=false, dead-letter-queues=[], tracked-per-channel=512, max-destinations=100");
    assertThat(problems).isEmpty();
  }

  @Test
  void theSettingsReachTheInstrumentation() {
    java.util.List<String> problems = new java.util.ArrayList<>();
    configure(Map.of("loupe.messaging.dead-letter-queues", "mes.order-intake, legacy.*",
        "loupe.messaging.tracked-per-channel", "64", "loupe.messaging.max-destinations", "20",
        "loupe.messaging.detect-unroutable", "true"), problems);
    assertThat(problems).isEmpty();
    assertThat(System.getProperty("loupe.internal.messaging.dead-letter-queues")).isEqualTo("mes.order-intake,legacy.*");
    assertThat(System.getProperty("loupe.internal.messaging.tracked-per-channel")).isEqualTo("64");
    assertThat(System.getProperty("loupe.internal.messaging.detect-unroutable")).isEqualTo("true");
  }

  @Test
  void aBadValueIsNamedAndItsDefaultKept() {
    java.util.List<String> problems = new java.util.ArrayList<>();
    String described = configure(Map.of("loupe.messaging.tracked-per-channel", "lots",
        "loupe.messaging.max-destinations", "0", "loupe.messaging.detect-unroutable", "maybe"), problems);
    assertThat(problems).containsExactly(
        "loupe.messaging.detect-unroutable: 'maybe' is neither true nor false; unroutable detection stays off",
        "loupe.messaging.tracked-per-channel: 'lots' is not a whole number from 16 to 65536; 512 is used",
        "loupe.messaging.max-destinations: '0' is not a whole number from 1 to 10000; 100 is used");
    assertThat(described).contains("tracked-per-channel=512, max-destinations=100");
  }
}
