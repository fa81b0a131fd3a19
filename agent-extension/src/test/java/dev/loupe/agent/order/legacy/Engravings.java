package dev.loupe.agent.order.legacy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small legacy engraving service of the kind Loupe is for: the JDK's own HTTP server, SLF4J over
 * whichever logging library is on its class path (Logback or Log4j2, each configured by the test with
 * a synchronous and an asynchronous appender), no telemetry of its own. Run under the agent and the
 * extension by {@code LegacyLoggingIT}.
 *
 * <p>Every line it logs about an order starts with {@code [<order id>]}, so the test can hold each
 * line's {@code order_id} to the order it is about. Each request finds its order another way:
 *
 * <ul>
 *   <li>{@code GET /engravings/{orderId}}: the path; a worker thread of an executor logs too
 *   <li>{@code GET /engravings?orderId=...}: the query
 *   <li>{@code GET /engraving-status} with {@code X-Order-Id}: a header
 *   <li>{@code POST /engravings} with {@code {"orderId":"..."}}: the body, through the argument of
 *       {@link #reserve}; the reservation fails, the service logs the failure at ERROR without the
 *       exception and still answers 200
 *   <li>{@code POST /engraving-orders}: the return value of {@link #nextOrderId}
 *   <li>{@code POST /stop}: ends the service
 * </ul>
 *
 * <p>Argument: the first order number it hands out from {@link #nextOrderId}. It prints its port.
 */
public final class Engravings {

  private static final Logger log = LoggerFactory.getLogger(Engravings.class);
  private static final Pattern BODY_ORDER = Pattern.compile("\"orderId\"\\s*:\\s*\"([^\"]+)\"");

  private static final ExecutorService workers = Executors.newFixedThreadPool(2);
  private static AtomicInteger next;

  /** What a reservation request carries; the extension reads {@code orderId} through the getter. */
  public static final class EngravingRequest {
    private final String orderId;

    EngravingRequest(String orderId) {
      this.orderId = orderId;
    }

    public String getOrderId() {
      return orderId;
    }
  }

  private Engravings() {}

  public static void main(String[] args) throws Exception {
    next = new AtomicInteger(Integer.parseInt(args[0]));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/engravings", Engravings::engravings);
    server.createContext("/engraving-status", Engravings::status);
    server.createContext("/engraving-orders", Engravings::open);
    server.createContext("/stop", exchange -> {
      answer(exchange, 200, "stopping");
      server.stop(0);
      workers.shutdown();
    });
    server.start();
    System.out.println("PORT " + server.getAddress().getPort());
  }

  private static void engravings(HttpExchange exchange) throws IOException {
    try {
      String path = exchange.getRequestURI().getPath();
      String query = exchange.getRequestURI().getQuery();
      if (exchange.getRequestMethod().equals("POST")) {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = BODY_ORDER.matcher(body);
        String id = m.find() ? m.group(1) : "?";
        try {
          reserve(new EngravingRequest(id));
        } catch (IllegalStateException e) {
          log.error("[" + id + "] reservation failed: " + e.getMessage());
        }
        log.info("[{}] answering the reservation", id);
        answer(exchange, 200, "reserved later");
      } else if (query != null && query.startsWith("orderId=")) {
        String id = query.substring("orderId=".length());
        log.info("[{}] engraving looked up by query", id);
        answer(exchange, 200, id);
      } else {
        String id = path.substring("/engravings/".length());
        log.info("[{}] engraving looked up by path", id);
        workers.submit(() -> log.info("[{}] engraving drawn on a worker thread", id)).get(10, TimeUnit.SECONDS);
        answer(exchange, 200, id);
      }
    } catch (Exception e) {
      log.error("request failed", e);
      answer(exchange, 500, "failed");
    }
  }

  private static void open(HttpExchange exchange) throws IOException {
    String id = nextOrderId();
    log.info("[{}] engraving order opened", id);
    answer(exchange, 201, id);
  }

  private static void status(HttpExchange exchange) throws IOException {
    String id = exchange.getRequestHeaders().getFirst("X-Order-Id");
    log.info("[{}] engraving status asked by header", id);
    answer(exchange, 200, id);
  }

  /** The one method that knows the order of a reservation: {@code loupe.order-id.methods=...#reserve:arg0.orderId}. */
  public static void reserve(EngravingRequest request) {
    log.info("[{}] reserving gold for the engraving", request.getOrderId());
    throw new IllegalStateException("no gold left");
  }

  /** Where new orders get their id: {@code loupe.order-id.methods=...#nextOrderId:return}. */
  public static String nextOrderId() {
    return "JW-" + next.getAndIncrement();
  }

  private static void answer(HttpExchange exchange, int status, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
