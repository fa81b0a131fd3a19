package dev.loupe.sample.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Optional;

/** What the tests ask of the running pipeline: place orders, follow them, look into the databases. */
final class Pipeline {

  static final Duration FLOW_TIMEOUT = Duration.ofSeconds(30);

  private final Stack stack;
  private final PipelineClient client;

  Pipeline(Stack stack) {
    this.stack = stack;
    this.client = stack.client();
  }

  PipelineClient client() {
    return client;
  }

  /** Places an order and insists the shop accepted it; returns its id. */
  String place(OrderRequest order) throws Exception {
    PipelineClient.Placement placement = client.placeOrder(order);
    if (!placement.accepted()) {
      throw new AssertionError("the shop refused the order: " + placement.status() + " " + placement.body());
    }
    return placement.orderId();
  }

  /** Waits until the shop shows the order with {@code status}; returns the shop's view. */
  JsonNode awaitShopStatus(String orderId, String status) throws Exception {
    return Eventually.await("order " + orderId + " to be " + status + " at the shop", FLOW_TIMEOUT,
        () -> client.shopOrder(orderId).filter(o -> status.equals(o.path("status").asText())));
  }

  /** Waits until MES has the order with {@code status}. */
  JsonNode awaitMesStatus(String orderId, String status) throws Exception {
    return Eventually.await("order " + orderId + " to be " + status + " in MES", FLOW_TIMEOUT,
        () -> client.mesOrder(orderId).filter(o -> status.equals(o.path("status").asText())));
  }

  /** The order's status in the Shop DB, read directly; empty if there is no row. */
  Optional<String> shopDbStatus(String orderId) throws Exception {
    return status(stack.shopDb(), "SELECT status FROM orders WHERE id = ?", orderId);
  }

  /** The order's status in the MES DB, read directly; empty if there is no row. */
  Optional<String> mesDbStatus(String orderId) throws Exception {
    return status(stack.mesDb(), "SELECT status FROM orders WHERE order_id = ?", orderId);
  }

  private static Optional<String> status(Connection connection, String sql, String orderId) throws Exception {
    try (Connection c = connection; PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, orderId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /**
   * Proves an order was lost before MES: a control order placed after the fault is switched off
   * overtakes it and reaches MES, while the lost one never arrives there. The broker's queues are
   * first-in first-out, so had the lost order's message been routable and kept, MES would have had it first.
   */
  void assertOvertakenAndNeverInMes(String lostOrderId) throws Exception {
    String control = place(dev.loupe.sample.loadgen.OrderRequest.typical());
    awaitMesStatus(control, "PRICED");
    if (mesDbStatus(lostOrderId).isPresent()) {
      throw new AssertionError("order " + lostOrderId + " reached the MES DB after all: " + mesDbStatus(lostOrderId));
    }
  }

  /** Waits until the Shop DB has the order with {@code status}. */
  void awaitShopDbStatus(String orderId, String status) throws Exception {
    Eventually.await("order " + orderId + " to be " + status + " in the Shop DB", FLOW_TIMEOUT,
        () -> shopDbStatus(orderId).filter(status::equals));
  }

  /** Waits until a service's log has a line containing every one of {@code fragments}. */
  String awaitLogLine(Service service, String... fragments) throws Exception {
    return Eventually.await(service.id() + " to log " + java.util.Arrays.toString(fragments), FLOW_TIMEOUT,
        () -> java.nio.file.Files.readAllLines(stack.log(service)).stream()
            .filter(line -> java.util.Arrays.stream(fragments).allMatch(line::contains))
            .findFirst());
  }

  /** How many lines of a running service's log contain {@code fragment}. */
  long logLines(Service service, String fragment) throws java.io.IOException {
    return java.nio.file.Files.readAllLines(stack.log(service)).stream().filter(line -> line.contains(fragment)).count();
  }

  /** A single number from a database. */
  static long number(Connection connection, String sql) throws Exception {
    try (Connection c = connection; PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
