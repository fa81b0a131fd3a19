package dev.loupe.alerts;

import dev.loupe.drills.Agents;
import dev.loupe.drills.Alertmanager;
import dev.loupe.drills.MetricsPorts;
import dev.loupe.drills.Prometheus;
import dev.loupe.drills.Webhook;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, with real parts only: the three sample apps under the OpenTelemetry agent and the
 * Loupe extension, a real Prometheus scraping the agents' Prometheus exporters and the broker with
 * exactly the rule files of alert-rules/rules, and a real Alertmanager with exactly
 * alert-rules/alertmanager. MES rejects an order message; the on-call channel must be paged, naming
 * the alert, the service and the runbook, within 60 s of the loss, and nobody is paged before.
 */
class LostOrderPagesOnCallIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern LOST = Pattern.compile(
      "^loupe_messages_lost_total\\{[^}]*reason=\"rejected\"[^}]*} ([0-9.eE+]+)$", Pattern.MULTILINE);

  @Test
  void aRejectedOrderMessagePagesOnCallWithinAMinute(@TempDir Path dir) throws Exception {
    Path repository = Tools.REPOSITORY;
    Path agent = repository.resolve("demo/target/agent/opentelemetry-javaagent.jar");
    Path extension = repository.resolve("agent-extension/target/loupe-agent-extension.jar");
    assertThat(agent).as("the agent jar (built by the demo module)").exists();
    assertThat(extension).as("the extension jar (built by agent-extension)").exists();
    MetricsPorts agentPorts = new MetricsPorts();

    try (Webhook slack = new Webhook();
        Alertmanager alertmanager = Alertmanager.start(Files.createDirectories(dir.resolve("alertmanager")),
            Alertmanager.secretsFor(slack));
        Stack stack = Stack.builder(repository)
            .workDir(repository.resolve("alert-rules/target/e2e-stack-" + ProcessHandle.current().pid()))
            .useLocalServices(false)
            .jvmOptions(s -> Agents.direct(agent, extension, repository, s, agentPorts.next(s), "test"))
            .progress(line -> System.out.println("[stack] " + line))
            .start()) {
      int prometheusPort = Tools.freePort();
      agentPorts.ensureListening(stack, line -> System.out.println("[stack] " + line));
      Map<String, Integer> ports = agentPorts.byId();
      String config = Prometheus.directConfig(alertmanager, ports, stack.broker().metricsPort());
      try (Prometheus prometheus = Prometheus.start(dir.resolve("prometheus"), config, prometheusPort)) {
        // the loss rules count a brand-new loss series whole only once Prometheus has been collecting
        // for a minute (so that a Prometheus started with empty storage never pages old counts)
        Eventually.await("Prometheus to have known mes-api for a minute", Duration.ofMinutes(3),
            () -> query(prometheus, "jvm_cpu_count{service=\"mes-api\"} offset 1m").isEmpty()
                ? Optional.empty() : Optional.of(true));
        assertThat(query(prometheus, "up{job=\"loupe-agent\"} == 1")).as("all three agents scraped").hasSize(3);
        assertThat(query(prometheus, "up{service=\"rabbitmq\"} == 1")).as("the broker scraped").hasSize(1);

        PipelineClient client = stack.client();
        String healthy = client.placeOrder(OrderRequest.typical()).orderId();
        Eventually.await("a healthy order priced by MES", Duration.ofSeconds(60), () -> client.mesOrder(healthy)
            .filter(o -> "PRICED".equals(o.path("status").asText())));
        assertThat(slack.received("/oncall")).as("no page while every order goes through").isEmpty();
        ordersPageHasItsOwnSeries(prometheus, client);

        stack.fault(Fault.MES_CONSUMER_REJECT, true);
        String lost = client.placeOrder(OrderRequest.typical()).orderId();
        long lossNanos = Eventually.await("MES to reject " + lost + " (the agent counts the loss)",
            Duration.ofSeconds(60), () -> lostMessages(agentPorts.of(Service.MES)) > 0
                ? Optional.of(System.nanoTime()) : Optional.empty());

        Webhook.Notification page = Eventually.await("the on-call page for the rejected order",
            Duration.ofSeconds(90), () -> slack.received("/oncall").stream()
                .filter(n -> n.body().contains("OrderMessageRejected")).findFirst());
        double seconds = (page.receivedNanos() - lossNanos) / 1e9;
        System.out.printf("Loss to page: %.1f s (order %s rejected by MES; page received by the on-call channel)%n",
            seconds, lost);

        JsonNode attachment = JSON.readTree(page.body()).get("attachments").get(0);
        assertThat(attachment.get("title").asText()).isEqualTo("[FIRING:1] OrderMessageRejected on mes-api (failure point 5)");
        assertThat(attachment.get("text").asText())
            .contains("service: mes-api | severity: page | failure point: 5")
            .contains("runbook: " + AlertCatalogueTest.RUNBOOK_BASE + "OrderMessageRejected.md")
            .contains("orders affected: 1");
        assertThat(attachment.get("title_link").asText()).isEqualTo(AlertCatalogueTest.RUNBOOK_BASE + "OrderMessageRejected.md");
        assertThat(seconds).as("seconds from the loss to the page").isLessThanOrEqualTo(60.0);

        List<String> titles = new ArrayList<>();
        for (Webhook.Notification n : slack.received("/oncall")) {
          titles.add(JSON.readTree(n.body()).get("attachments").get(0).get("title").asText());
        }
        assertThat(titles).as("the only page is the lost order").allMatch(t -> t.contains("OrderMessageRejected"));
      } finally {
        stack.fault(Fault.MES_CONSUMER_REJECT, false);
      }
    }
  }

  /**
   * OrdersPageSlow watches the MES route {@code /api/orders}: the route templates of mes-api.properties
   * must give the real MES that series, not the JDK HttpServer's {@code /} for every request.
   */
  private static void ordersPageHasItsOwnSeries(Prometheus prometheus, PipelineClient client) throws Exception {
    String raw = "http_server_request_duration_seconds_count{service=\"mes-api\", http_route=\"/api/orders\"}";
    assertThat(client.ordersPage("PRICED", 0, 20).status()).isEqualTo(200);
    Eventually.await("Prometheus to scrape the orders page's own series", Duration.ofSeconds(30),
        () -> query(prometheus, raw).isEmpty() ? Optional.empty() : Optional.of(true));
    // a second request, so the series' rate is non-zero and the share a number
    assertThat(client.ordersPage("PRICED", 0, 20).status()).isEqualTo(200);
    String slow = "service_route:http_server_slower_than_goal:ratio_rate15m{service=\"mes-api\", http_route=\"/api/orders\"}";
    double share = Eventually.await("the share of slow loads OrdersPageSlow watches", Duration.ofSeconds(30), () -> {
      JsonNode result = query(prometheus, slow);
      if (result.isEmpty()) {
        return Optional.empty();
      }
      double value = Double.parseDouble(result.get(0).get("value").get(1).asText());
      return Double.isNaN(value) ? Optional.empty() : Optional.of(value);
    });
    assertThat(share).as("share of orders page loads slower than the goal's bound").isZero();
  }

  private static JsonNode query(Prometheus prometheus, String promql) throws Exception {
    JsonNode answer = JSON.readTree(prometheus.get("/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8)).body());
    assertThat(answer.path("status").asText()).as(answer.toString()).isEqualTo("success");
    return answer.path("data").path("result");
  }

  private static double lostMessages(int agentPort) throws Exception {
    String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agentPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = LOST.matcher(text);
    double total = 0;
    while (m.find()) {
      total += Double.parseDouble(m.group(1));
    }
    return total;
  }
}
