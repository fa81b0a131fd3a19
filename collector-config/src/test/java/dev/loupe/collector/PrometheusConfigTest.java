package dev.loupe.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Prometheus config passes the real {@code promtool check config}, and a broken copy does not. */
class PrometheusConfigTest {

  private static final Path CONFIG = CollectorConfigTest.FOLDER.resolve("backends/prometheus.yml");

  @Test
  void promtoolAcceptsThePrometheusConfig() throws Exception {
    Result r = promtool(CONFIG);
    assertThat(r.exit).as(r.output).isZero();
    assertThat(r.output).contains("SUCCESS");
  }

  @Test
  void promtoolRejectsABrokenCopy(@TempDir Path dir) throws Exception {
    Path broken = dir.resolve("prometheus.yml");
    Files.writeString(broken, Files.readString(CONFIG).replace("scrape_interval: 15s", "scrape_interval: fifteen"));
    Result r = promtool(broken);
    assertThat(r.exit).as(r.output).isNotZero();
    assertThat(r.output).contains("FAILED");
  }

  private record Result(int exit, String output) {}

  private static Result promtool(Path config) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("promtool", "check", "config", config.toString()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("promtool is not installed: apt-get install prometheus (as .ci/run does)", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }
}
