package dev.loupe.drills;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A port found free and taken before the agent binds it: the stack's MES starts under the real agent
 * and extension on the direct path, with its first Prometheus port taken by someone else the moment it
 * was handed out. The agent cannot open its endpoint there; {@link MetricsPorts#ensureListening} starts
 * MES again on another port, where the endpoint answers with the agent's metrics.
 */
class MetricsPortsIT {

  @Test
  void aServiceWhoseMetricsPortWasTakenIsStartedAgainOnAnother() throws Exception {
    Path repository = Tools.repository();
    Path agent = repository.resolve("agent-extension/target/agent/opentelemetry-javaagent.jar");
    Path extension = repository.resolve("agent-extension/target/loupe-agent-extension.jar");
    assertThat(agent).as("the agent jar (copied by agent-extension)").exists();
    MetricsPorts ports = new MetricsPorts();
    List<ServerSocket> squatters = new CopyOnWriteArrayList<>();
    List<Integer> handedOut = new CopyOnWriteArrayList<>();
    List<String> progress = new ArrayList<>();
    try (Stack stack = Stack.builder(repository)
        .workDir(repository.resolve("drills/target/metrics-ports-" + ProcessHandle.current().pid()))
        .jvmOptions(s -> {
          int port = ports.next(s);
          if (s == Service.MES) {
            handedOut.add(port);
            if (handedOut.size() == 1) {
              squatters.add(take(port)); // someone else binds it first
            }
          }
          return Agents.direct(agent, extension, repository, s, port, "test");
        })
        .start()) {
      ports.ensureListening(stack, progress::add);

      assertThat(handedOut).as("MES started twice, on two ports").hasSize(2).doesNotHaveDuplicates();
      assertThat(ports.of(Service.MES)).isEqualTo(handedOut.get(1));
      assertThat(progress).singleElement().asString().contains("mes-api").contains(handedOut.get(0).toString());
      String metrics = new String(new java.net.URL("http://127.0.0.1:" + ports.of(Service.MES) + "/metrics")
          .openStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(metrics).contains("jvm_cpu_count");
    } finally {
      for (ServerSocket s : squatters) {
        s.close();
      }
    }
  }

  private static ServerSocket take(int port) {
    try {
      return new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new IllegalStateException("could not take port " + port, e);
    }
  }
}
