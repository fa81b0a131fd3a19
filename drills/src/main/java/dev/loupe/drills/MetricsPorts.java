package dev.loupe.drills;

import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The ports of the agents' own Prometheus endpoints on the direct path ({@link Agents#direct}), one
 * fresh free port each time a service starts. A port found free can be taken before the agent binds
 * it (a database, the broker's Erlang ports, another service starting beside it); the agent then only
 * logs "Could not create Prometheus HTTP server" and the service runs without metrics, which a
 * Prometheus would see as a service never scraped. So the port is chosen as late as possible, and
 * {@link #ensureListening} starts a service whose endpoint does not answer (whoever took the port may
 * well accept connections: it must answer {@code /metrics}) again on another port.
 */
public final class MetricsPorts {

  private static final int ATTEMPTS = 3;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Map<Service, Integer> ports = new ConcurrentHashMap<>();

  /** A fresh free loopback port for {@code service}'s next start, remembered as its port. */
  public int next(Service service) {
    int port = Tools.freePort();
    ports.put(service, port);
    return port;
  }

  /**
   * {@code service}'s port, as its last start was given.
   *
   * @throws IllegalStateException if the service has not been started with a port from {@link #next}
   */
  public int of(Service service) {
    Integer port = ports.get(service);
    if (port == null) {
      throw new IllegalStateException(service.id() + " was not started with a port from next()");
    }
    return port;
  }

  /** Each started service's port by its id ({@code shop-api}, ...), for a Prometheus configuration. */
  public Map<String, Integer> byId() {
    Map<String, Integer> out = new TreeMap<>();
    ports.forEach((s, p) -> out.put(s.id(), p));
    return out;
  }

  /**
   * After {@code stack} started every service with ports from {@link #next}: each agent's endpoint
   * answers; a service whose does not is stopped and started again (on a fresh port), up to three
   * starts in all. Reports each restart to {@code progress}.
   *
   * @throws IllegalStateException if an endpoint still does not answer after the third start
   */
  public void ensureListening(Stack stack, Consumer<String> progress) {
    for (Service service : Service.values()) {
      for (int attempt = 1; !answers(ports.get(service)); attempt++) {
        if (attempt == ATTEMPTS) {
          throw new IllegalStateException("the agent of " + service.id() + " did not open its Prometheus endpoint on "
              + ATTEMPTS + " ports in a row (last 127.0.0.1:" + ports.get(service) + "); see " + stack.log(service));
        }
        progress.accept("the agent of " + service.id() + " could not open its Prometheus endpoint on port "
            + ports.get(service) + " (taken meanwhile); starting " + service.id() + " again on another port");
        stack.stopApp(service);
        stack.startApp(service);
      }
    }
  }

  /** Whether the agent's endpoint answers there: {@code /metrics} in the Prometheus format, not just anyone listening. */
  private static boolean answers(Integer port) {
    if (port == null) {
      return false;
    }
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().contains("# TYPE ");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
