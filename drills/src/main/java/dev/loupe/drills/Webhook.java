package dev.loupe.drills;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for the pager and the team's chat: records every notification Alertmanager posts to any
 * path of it, with its arrival time ({@link System#nanoTime()}).
 */
public final class Webhook implements AutoCloseable {

  /** One POST: the path it went to, its body, and when it arrived ({@link System#nanoTime()}). */
  public record Notification(String path, String body, long receivedNanos) {}

  private final HttpServer server;
  private final List<Notification> received = new CopyOnWriteArrayList<>();

  /** Listens on a free port of 127.0.0.1 at once. */
  public Webhook() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/", exchange -> {
      long now = System.nanoTime();
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      received.add(new Notification(exchange.getRequestURI().getPath(), body, now));
      byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, ok.length);
      exchange.getResponseBody().write(ok);
      exchange.close();
    });
    server.start();
  }

  /** The URL of {@code path} on this receiver, e.g. {@code /oncall}. */
  public URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  /** What arrived at {@code path} so far, oldest first. */
  public List<Notification> received(String path) {
    return received.stream().filter(n -> n.path().equals(path)).toList();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
