package dev.loupe.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.agent.harness.OtlpReceiver.ExportedPoint;
import dev.loupe.agent.harness.OtlpReceiver.ExportedSpan;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The MES's JDK HttpServer reports {@code /} as the route of every request; with the templates of
 * {@code agent-extension/config/mes-api.properties} its spans and its request-duration metric carry the
 * real routes, so alerts on one route (the orders page) see it.
 */
class ServerRoutesIT {

  @Test
  void mesRequestsCarryTheirRouteTemplatesOnSpansAndMetricsAndHealthChecksAreNotTraced() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver();
        Stack stack = AgentStack.start("server-routes", receiver, true, Map.of())) {
      HttpClient http = HttpClient.newHttpClient();
      URI mes = stack.url(Service.MES);
      assertThat(get(http, mes.resolve("/api/orders?status=PRICED&page=0&size=5"))).isEqualTo(200);
      assertThat(get(http, mes.resolve("/api/orders/JW-999999"))).isEqualTo(404);
      assertThat(get(http, mes.resolve("/health"))).isEqualTo(200);
      assertThat(get(http, mes.resolve("/admin/faults"))).isEqualTo(200);
      // a path no template knows keeps what the instrumentation reported
      assertThat(get(http, mes.resolve("/nowhere/at/all"))).isEqualTo(404);

      Set<String> paths = Set.of("/api/orders", "/api/orders/JW-999999", "/admin/faults", "/nowhere/at/all");
      List<ExportedSpan> servers = Eventually.await("the four MES server spans", Duration.ofSeconds(30), () -> {
        List<ExportedSpan> found = receiver.spans().stream()
            .filter(s -> s.service().equals("mes-api") && s.kind().equals("SPAN_KIND_SERVER")).toList();
        return found.stream().map(s -> s.attributes().get("url.path")).collect(Collectors.toSet()).containsAll(paths)
            ? Optional.of(found) : Optional.empty();
      });
      assertThat(byPath(servers, "/api/orders")).satisfies(s -> {
        assertThat(s.name()).isEqualTo("GET /api/orders");
        assertThat(s.attributes()).containsEntry("http.route", "/api/orders");
      });
      assertThat(byPath(servers, "/api/orders/JW-999999")).satisfies(s -> {
        assertThat(s.name()).isEqualTo("GET /api/orders/{orderId}");
        assertThat(s.attributes()).containsEntry("http.route", "/api/orders/{orderId}");
      });
      assertThat(byPath(servers, "/admin/faults").attributes()).containsEntry("http.route", "/admin/faults");
      // health checks are not traced (loupe.http.untraced-routes), but still counted, under their route
      assertThat(servers).noneMatch(s -> "/health".equals(s.attributes().get("url.path")));
      assertThat(byPath(servers, "/nowhere/at/all").attributes()).containsEntry("http.route", "/");

      Set<String> routes = Eventually.await("MES request durations by route", Duration.ofSeconds(30), () -> {
        Set<String> seen = receiver.points().stream()
            .filter(p -> p.service().equals("mes-api") && p.metric().equals("http.server.request.duration"))
            .map(ExportedPoint::attributes).map(a -> a.get("http.route")).collect(Collectors.toSet());
        return seen.containsAll(Set.of("/api/orders", "/api/orders/{orderId}", "/health", "/"))
            ? Optional.of(seen) : Optional.empty();
      });
      // the order id never becomes a label value
      assertThat(routes).noneMatch(r -> r != null && r.contains("JW-"));
    }
  }

  private static ExportedSpan byPath(List<ExportedSpan> spans, String path) {
    return spans.stream().filter(s -> path.equals(s.attributes().get("url.path"))).findFirst()
        .orElseThrow(() -> new AssertionError("no server span for " + path + " among " + spans));
  }

  private static int get(HttpClient http, URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
