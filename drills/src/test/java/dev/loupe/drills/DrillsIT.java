package dev.loupe.drills;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The drills that fit in {@code mvn verify} (about 10 minutes, drills/README.md says which and why), run as
 * {@code drills/run} runs them: the stack under the agent, the real Collector when there is one (else the
 * direct path), Prometheus with the rules and Alertmanager with the routing unchanged, steady customers; a
 * healthy minute that pages nobody, then failure points 1, 4, 6, 9 and 5, each paged on-call with its
 * labels and runbook within its target, no page unexplained, the broker's page resolved.
 */
class DrillsIT {

  @Test
  void everyDrillOfTheCiSetPagesOnCallInTimeWithItsLabelsAndNothingElsePages() throws Exception {
    Path repository = Tools.repository();
    Path report = repository.resolve("drills/target/ci-report.md");
    DrillRun.Options options = DrillRun.Options.parse(repository, "--point", "1", "--point", "4", "--point", "6",
        "--point", "9", "--point", "5", "--healthy", "1m", "--resolve-limit", "5m", "--report", report.toString());

    DrillRun.Result result = new DrillRun(options, repository, System.out).run();

    assertThat(result.healthyProblems()).as("pages in the healthy minute").isEmpty();
    assertThat(result.watchdogs()).as("Watchdog at the dead man's switch").isPositive();
    assertThat(result.outcomes()).extracting(o -> o.drill().point()).containsExactly(1, 4, 6, 9, 5);
    for (DrillRun.Outcome o : result.outcomes()) {
      assertThat(o.problems()).as("drill " + o.drill().pointName()).isEmpty();
      assertThat(o.page()).as("drill " + o.drill().pointName() + "'s page").isPresent();
      assertThat(o.seconds()).as("seconds to drill " + o.drill().pointName() + "'s page")
          .isLessThanOrEqualTo(o.drill().target().toSeconds());
    }
    assertThat(result.outcomes().get(3).resolved()).as("the broker's page resolved").startsWith("yes");
    assertThat(result.unexplained()).as("pages no drill explains").isEmpty();
    assertThat(result.passed()).isTrue();
    assertThat(Files.readString(report)).contains("| 9 | RabbitMQ stopped | RabbitmqDown on rabbitmq |");
  }
}
