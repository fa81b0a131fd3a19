package dev.loupe.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What one service's Java agent exposes on its Prometheus endpoint. */
final class AgentMetrics {

  private static final Pattern SERVER_REQUESTS =
      Pattern.compile("(?m)^http_server_request_duration_seconds_count\\{.*} (\\S+)$");

  private final URI endpoint;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  AgentMetrics(int port) {
    this.endpoint = URI.create("http://127.0.0.1:" + port + "/metrics");
  }

  URI endpoint() {
    return endpoint;
  }

  /** HTTP server requests the agent has measured in this service so far. */
  long serverRequests() throws IOException, InterruptedException {
    String body = http.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return count(body);
  }

  static long count(String exposition) {
    Matcher m = SERVER_REQUESTS.matcher(exposition);
    double total = 0;
    while (m.find()) {
      total += Double.parseDouble(m.group(1));
    }
    return Math.round(total);
  }
}
