package dev.loupe.sample.mes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.loupe.sample.faults.AdminApi;
import dev.loupe.sample.faults.FaultSwitch;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MES HTTP API on the JDK's built-in server:
 *
 * <pre>
 * GET  /api/orders?status=PRICED&amp;page=0&amp;size=20   the operators' orders page
 * GET  /api/orders/{orderId}                        one order
 * POST /api/orders/{orderId}/assign {"operatorId":1} take a priced order into work
 * GET  /metrics                                     legacy business metrics (Prometheus text)
 * GET  /health                                      liveness
 * /admin/faults                                     the fault switch
 * GET  /orders.html, /orders.js                     the operators' orders page (classpath static/)
 * GET  /&lt;file&gt;                                      a file of mes.web.dir, when set
 * </pre>
 */
final class HttpApi implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  private static final String ORDERS = "/api/orders";
  private static final Set<String> STATUSES =
      Set.of("RECEIVED", "CALCULATING", "PRICED", "MODEL_REJECTED", "IN_PRODUCTION", "SHIPPED");
  private static final Map<String, String> CONTENT_TYPES = Map.of("html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8", "json", "application/json", "css", "text/css; charset=utf-8");

  private final HttpServer server;
  private final ExecutorService threads;
  private final OrderBook orders;
  private final LegacyMetrics metrics;
  private final StatusPublisher status;
  private final AdminApi admin;
  private final ObjectMapper json;
  private final Optional<Path> webDir;

  HttpApi(MesSettings settings, OrderBook orders, LegacyMetrics metrics, StatusPublisher status,
      FaultSwitch faults, ObjectMapper json) throws IOException {
    this.orders = orders;
    this.metrics = metrics;
    this.status = status;
    this.admin = new AdminApi(faults);
    this.json = json;
    this.webDir = settings.webDir().map(dir -> dir.toAbsolutePath().normalize());
    this.server = HttpServer.create(new InetSocketAddress(settings.httpHost(), settings.httpPort()), 64);
    this.threads = Executors.newFixedThreadPool(16);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
  }

  void start() {
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      try {
        route(exchange, method, path);
      } catch (SQLException e) {
        if (e instanceof SQLTransientConnectionException || e.getSQLState() != null && e.getSQLState().startsWith("08")) {
          log.error("MES database unavailable for {} {}", method, path, e);
          send(exchange, 503, Map.of("error", "MES database unavailable"));
        } else {
          log.error("Request {} {} failed", method, path, e);
          send(exchange, 500, Map.of("error", "internal error"));
        }
      } catch (RuntimeException e) {
        log.error("Request {} {} failed", method, path, e);
        send(exchange, 500, Map.of("error", "internal error"));
      }
    }
  }

  private void route(HttpExchange exchange, String method, String path) throws IOException, SQLException {
    if (path.equals("/health")) {
      send(exchange, 200, Map.of("status", "UP"));
    } else if (path.equals("/metrics") && method.equals("GET")) {
      byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    } else if (path.equals(AdminApi.PATH) || path.startsWith(AdminApi.PATH + "/")) {
      String fault = path.length() > AdminApi.PATH.length() + 1 ? path.substring(AdminApi.PATH.length() + 1) : null;
      AdminApi.Answer answer = admin.handle(method, fault);
      sendRaw(exchange, answer.status(), answer.json());
    } else if (path.equals(ORDERS) && method.equals("GET")) {
      ordersPage(exchange);
    } else if (path.startsWith(ORDERS + "/") && path.endsWith("/assign") && method.equals("POST")) {
      assign(exchange, path.substring(ORDERS.length() + 1, path.length() - "/assign".length()));
    } else if (path.startsWith(ORDERS + "/") && method.equals("GET")) {
      String orderId = path.substring(ORDERS.length() + 1);
      var order = orders.find(orderId);
      if (order.isPresent()) {
        send(exchange, 200, order.get());
      } else {
        send(exchange, 404, Map.of("error", "no such order"));
      }
    } else if (!(method.equals("GET") && servedFile(exchange, path))) {
      send(exchange, 404, Map.of("error", "no such resource"));
    }
  }

  /** Serves the page's own files from the classpath, then those of the web folder; false if neither has it. */
  private boolean servedFile(HttpExchange exchange, String path) throws IOException {
    if (path.contains("..") || path.endsWith("/")) {
      return false;
    }
    byte[] body = null;
    try (var in = HttpApi.class.getResourceAsStream("/static" + path)) {
      if (in != null) {
        body = in.readAllBytes();
      }
    }
    if (body == null && webDir.isPresent()) {
      Path file = webDir.get().resolve(path.substring(1)).normalize();
      if (file.startsWith(webDir.get()) && Files.isRegularFile(file)) {
        body = Files.readAllBytes(file);
      }
    }
    if (body == null) {
      return false;
    }
    String type = CONTENT_TYPES.getOrDefault(path.substring(path.lastIndexOf('.') + 1), "application/octet-stream");
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
    return true;
  }

  private void ordersPage(HttpExchange exchange) throws IOException, SQLException {
    Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
    String wanted = query.getOrDefault("status", "PRICED");
    if (!STATUSES.contains(wanted)) {
      send(exchange, 400, Map.of("error", "status must be one of " + STATUSES));
      return;
    }
    int page;
    int size;
    try {
      page = Integer.parseInt(query.getOrDefault("page", "0"));
      size = Integer.parseInt(query.getOrDefault("size", "20"));
    } catch (NumberFormatException e) {
      send(exchange, 400, Map.of("error", "page and size must be numbers"));
      return;
    }
    if (page < 0 || size < 1 || size > 200) {
      send(exchange, 400, Map.of("error", "page must be 0 or more and size between 1 and 200"));
      return;
    }
    List<OrderBook.PageRow> rows = orders.page(wanted, page, size);
    send(exchange, 200, Map.of("status", wanted, "page", page, "size", size, "orders", rows));
  }

  private void assign(HttpExchange exchange, String orderId) throws IOException, SQLException {
    JsonNode body;
    try {
      body = json.readTree(exchange.getRequestBody());
    } catch (IOException e) {
      send(exchange, 400, Map.of("error", "body must be JSON like {\"operatorId\": 1}"));
      return;
    }
    if (body == null || !body.path("operatorId").canConvertToInt()) {
      send(exchange, 400, Map.of("error", "body must be JSON like {\"operatorId\": 1}"));
      return;
    }
    switch (orders.assign(orderId, body.get("operatorId").asInt())) {
      case ASSIGNED -> {
        status.publish(orderId, "IN_PRODUCTION", null);
        log.info("Order {} taken into production", orderId);
        send(exchange, 200, Map.of("orderId", orderId, "status", "IN_PRODUCTION"));
      }
      case NO_SUCH_ORDER -> send(exchange, 404, Map.of("error", "no such order"));
      case NO_SUCH_OPERATOR -> send(exchange, 400, Map.of("error", "no such operator"));
      case NOT_PRICED -> send(exchange, 409, Map.of("error", "only priced orders can be assigned"));
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private void send(HttpExchange exchange, int code, Object body) throws IOException {
    sendRaw(exchange, code, json.writeValueAsString(body));
  }

  private static void sendRaw(HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
