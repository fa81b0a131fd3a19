package dev.loupe.sample.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.sample.loadgen.LoadGenerator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RunningStack.class)
class LoadGeneratorTest {

  @Test
  void aHealthyRunCompletesEveryOrderAndReportsProgressAndASummary(Stack stack) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LoadGenerator.Summary summary = new LoadGenerator(stack.client(),
        new LoadGenerator.Settings(4, Duration.ofSeconds(5), Duration.ofSeconds(30), false, 2, true),
        new PrintStream(out, true, StandardCharsets.UTF_8)).run();

    assertThat(summary.placed()).isBetween(15, 25);
    assertThat(summary.failed()).isZero();
    assertThat(summary.completed()).isEqualTo(summary.placed());
    assertThat(summary.inFlight()).isZero();
    assertThat(summary.pageViews()).isGreaterThanOrEqualTo(5);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("[   1s load ] placed").contains("in flight");
    assertThat(summary.render()).startsWith("placed " + summary.placed() + ", completed " + summary.placed()
        + ", failed 0, still in flight 0");
  }
}
