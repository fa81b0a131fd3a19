package dev.loupe.drills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PageTest {

  /** A message as alert-rules/alertmanager/templates renders a group of two alerts for Slack. */
  private static final String TWO_ALERTS = """
      {"channel":"#jewelry-oncall","attachments":[{"title":"[FIRING:2] OrderMessageRejected on mes-api (failure point 5)",\
      "text":"*mes-api dropped order messages it received*\\n3 order message(s) from mes.order-intake were dropped (rejected).\\n\
      service: mes-api | severity: page | failure point: 5\\norders affected: 3\\n\
      runbook: https://git.example/alert-rules/runbooks/OrderMessageRejected.md\\ndashboard: https://grafana.example/d/x\\n\
      *mes-api dropped order messages it received*\\n1 order message(s) were dropped (consumer_failed).\\n\
      service: mes-api | severity: page | failure point: 5\\n\
      runbook: https://git.example/alert-rules/runbooks/OrderMessageRejected.md\\ndashboard: https://grafana.example/d/x\\n"}]}""";

  @Test
  void eachAlertOfAMessageIsReadWithItsLabelsAndRunbook() {
    List<Page> pages = Page.of(new Webhook.Notification("/oncall", TWO_ALERTS, 42));
    assertThat(pages).hasSize(2);
    Page first = pages.get(0);
    assertThat(first.firing()).isTrue();
    assertThat(first.group()).isEqualTo("OrderMessageRejected on mes-api");
    assertThat(first.severity()).isEqualTo("page");
    assertThat(first.failurePoint()).isEqualTo("5");
    assertThat(first.runbook()).endsWith("/alert-rules/runbooks/OrderMessageRejected.md");
    assertThat(first.description()).contains("(rejected)");
    assertThat(pages.get(1).description()).contains("(consumer_failed)");
    assertThat(first.receivedNanos()).isEqualTo(42);
  }

  @Test
  void aResolvedMessageIsNotFiring() {
    String resolved = TWO_ALERTS.replace("[FIRING:2]", "[RESOLVED]");
    assertThat(Page.of(new Webhook.Notification("/team", resolved, 1))).allMatch(p -> !p.firing());
  }

  @Test
  void theDeadMansSwitchPayloadHoldsNoPage() {
    assertThat(Page.of(new Webhook.Notification("/deadmans", "{\"status\":\"firing\",\"alerts\":[]}", 1))).isEmpty();
  }

  @Test
  void theCommandLineNamesDrillsByPointAndRefusesWhatItDoesNotKnow() {
    Path repo = Path.of("/repo");
    DrillRun.Options all = DrillRun.Options.parse(repo, "--all");
    assertThat(all.drills()).isEqualTo(Drills.ALL);
    assertThat(all.healthy().toMinutes()).isEqualTo(1);
    assertThat(all.report()).isEqualTo(Path.of("/repo/drills/target/report.md"));
    DrillRun.Options some = DrillRun.Options.parse(repo, "--point", "9", "--point", "0", "--healthy", "60m");
    assertThat(some.drills()).extracting(Drill::point).containsExactlyInAnyOrder(9, 0);
    assertThat(some.healthy().toMinutes()).isEqualTo(60);
    assertThat(DrillRun.Options.parse(repo, "--healthy", "10m").drills()).isEmpty();
    assertThatThrownBy(() -> DrillRun.Options.parse(repo, "--point", "10")).hasMessageContaining("no drill for point '10'");
    assertThatThrownBy(() -> DrillRun.Options.parse(repo)).hasMessageContaining("name the drills");
    assertThatThrownBy(() -> DrillRun.Options.parse(repo, "--fast")).hasMessageContaining("unknown option --fast");
  }
}
