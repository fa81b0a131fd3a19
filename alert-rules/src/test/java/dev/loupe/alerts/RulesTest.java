package dev.loupe.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rule files pass the real {@code promtool check rules} and every unit test in alert-rules/tests. */
class RulesTest {

  static List<Path> ruleFiles() throws Exception {
    try (Stream<Path> files = Files.list(Tools.RULES)) {
      return files.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
    }
  }

  static List<Path> testFiles() throws Exception {
    try (Stream<Path> files = Files.list(Tools.RULE_TESTS)) {
      return files.filter(f -> f.toString().endsWith(".test.yml")).sorted().toList();
    }
  }

  @Test
  void promtoolAcceptsEveryRuleFile() throws Exception {
    List<String> command = new ArrayList<>(List.of("promtool", "check", "rules"));
    ruleFiles().forEach(f -> command.add(f.toString()));
    Tools.Result r = Tools.run(Tools.RULES, Duration.ofSeconds(60), command);
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).doesNotContain("FAILED");
  }

  @Test
  void everyPromtoolUnitTestPasses() throws Exception {
    List<String> command = new ArrayList<>(List.of("promtool", "test", "rules"));
    testFiles().forEach(f -> command.add(f.getFileName().toString()));
    Tools.Result r = Tools.run(Tools.RULE_TESTS, Duration.ofMinutes(3), command);
    System.out.println(r.output());
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).doesNotContain("FAILED");
  }

  /** The unit tests can fail: with one alert's threshold changed, promtool reports it. */
  @Test
  void aChangedThresholdFailsTheUnitTests(@TempDir Path dir) throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Path tests = Files.createDirectories(dir.resolve("tests"));
    for (Path f : ruleFiles()) {
      String text = Files.readString(f);
      Files.writeString(rules.resolve(f.getFileName()), text.replace("rabbitmq_queue_messages_ready) > 100", "rabbitmq_queue_messages_ready) > 500"));
    }
    Path infrastructure = Tools.RULE_TESTS.resolve("infrastructure.test.yml");
    Files.copy(infrastructure, tests.resolve(infrastructure.getFileName()));
    Tools.Result r = Tools.run(tests, Duration.ofMinutes(2), List.of("promtool", "test", "rules", "infrastructure.test.yml"));
    assertThat(r.exit()).as(r.output()).isNotZero();
    assertThat(r.output()).contains("FAILED").contains("RabbitmqConsumerLag");
  }

  @Test
  void promtoolRejectsABrokenRule(@TempDir Path dir) throws Exception {
    Path broken = dir.resolve("broken.yml");
    Files.writeString(broken, Files.readString(Tools.RULES.resolve("loupe-alerts.yml"))
        .replace("expr: max by (service) (up{service=\"rabbitmq\"}) == 0", "expr: max by (service) (up{service=\"rabbitmq\"} == 0"));
    Tools.Result r = Tools.run(dir, Duration.ofSeconds(60), List.of("promtool", "check", "rules", broken.toString()));
    assertThat(r.exit()).as(r.output()).isNotZero();
    assertThat(r.output()).contains("FAILED");
  }
}
