package dev.loupe.drills;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.logging.Logger;

/**
 * The smallest service the OpenTelemetry Java agent has something to report from, run in its own JVM
 * under the agent: it calls an endpoint of its own that fails (the agent's HTTP client span, with an
 * error status, so tail sampling keeps it), logs one line through {@code java.util.logging} (the agent's
 * log record), and exits, the agent exporting both as the JVM shuts down.
 */
public final class TinyService {

  private TinyService() {}

  /** {@code args[0]}: the text of the log line. */
  public static void main(String[] args) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
    server.createContext("/", exchange -> {
      exchange.sendResponseHeaders(500, -1);
      exchange.close();
    });
    server.start();
    try {
      HttpResponse<Void> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fail")).build(),
          HttpResponse.BodyHandlers.discarding());
      Logger.getLogger("tiny-service").warning(args[0] + " (the call answered " + answer.statusCode() + ")");
    } finally {
      server.stop(0);
    }
  }
}
