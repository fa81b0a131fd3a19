package dev.loupe.sample.mes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.faults.FaultSwitch;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes confirmed orders off the intake queue. Invalid messages are rejected without requeue (nobody
 * configured a dead-letter exchange). Valid ones are acknowledged before they are stored, as the legacy
 * code does: whatever fails after the acknowledgement loses the order.
 */
final class OrderIntake extends DefaultConsumer {

  private static final Logger log = LoggerFactory.getLogger(OrderIntake.class);
  private static final BigDecimal SMALLEST_RING = new BigDecimal("10");
  private static final BigDecimal LARGEST_RING = new BigDecimal("30");

  /** A message MES cannot take. */
  static final class InvalidOrderMessage extends Exception {
    InvalidOrderMessage(String message) {
      super(message);
    }
  }

  private final ObjectMapper json;
  private final OrderBook orders;
  private final StatusPublisher status;
  private final PriceCalculator calculator;
  private final LegacyMetrics metrics;
  private final FaultSwitch faults;

  OrderIntake(Channel channel, ObjectMapper json, OrderBook orders, StatusPublisher status,
      PriceCalculator calculator, LegacyMetrics metrics, FaultSwitch faults) {
    super(channel);
    this.json = json;
    this.orders = orders;
    this.status = status;
    this.calculator = calculator;
    this.metrics = metrics;
    this.faults = faults;
  }

  void start() throws IOException {
    Broker.declareTopology(getChannel());
    getChannel().basicQos(5);
    getChannel().basicConsume(Broker.INTAKE_QUEUE, false, "mes-order-intake", this);
  }

  @Override
  public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
      throws IOException {
    if (faults.isOn(Fault.MES_CONSUMER_SLOW)) {
      try {
        Thread.sleep(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    OrderBook.ReceivedOrder order;
    try {
      order = parse(body);
    } catch (InvalidOrderMessage e) {
      log.warn("Rejected an order message: {}", e.getMessage());
      getChannel().basicReject(envelope.getDeliveryTag(), false);
      metrics.orderMessage("rejected");
      return;
    }
    getChannel().basicAck(envelope.getDeliveryTag(), false);
    if (faults.isOn(Fault.MES_CONSUMER_CRASH)) {
      throw new IllegalStateException("order mapper failed for order " + order.orderId());
    }
    try {
      if (!orders.receive(order)) {
        metrics.orderMessage("duplicate");
        return;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not store order " + order.orderId() + ": " + e.getMessage(), e);
    }
    metrics.orderMessage("received");
    log.info("Order {} received", order.orderId());
    status.publish(order.orderId(), "RECEIVED", null);
    calculator.submit(order);
  }

  OrderBook.ReceivedOrder parse(byte[] body) throws InvalidOrderMessage {
    JsonNode m;
    try {
      m = json.readTree(body);
    } catch (IOException e) {
      throw new InvalidOrderMessage("not JSON");
    }
    if (m == null || !m.isObject()) {
      throw new InvalidOrderMessage("not a JSON object");
    }
    String orderId = text(m, "orderId");
    String modelKey = text(m, "modelKey");
    if (orderId == null || modelKey == null) {
      throw new InvalidOrderMessage("orderId and modelKey are required");
    }
    if (!m.path("itemId").canConvertToInt() || m.path("itemId").asInt() <= 0) {
      throw new InvalidOrderMessage("order " + orderId + " has no valid itemId");
    }
    if (!m.path("basePriceCents").canConvertToInt() || m.path("basePriceCents").asInt() < 0) {
      throw new InvalidOrderMessage("order " + orderId + " has no valid basePriceCents");
    }
    if (faults.isOn(Fault.MES_CONSUMER_REJECT) && text(m, "customerSegment") == null) {
      throw new InvalidOrderMessage("order " + orderId + " has no customerSegment");
    }
    return new OrderBook.ReceivedOrder(orderId, m.get("itemId").asInt(), ringSize(orderId, text(m, "ringSize")),
        text(m, "engraving"), modelKey, m.get("basePriceCents").asInt());
  }

  private static BigDecimal ringSize(String orderId, String text) throws InvalidOrderMessage {
    if (text == null) {
      return null;
    }
    try {
      BigDecimal size = new BigDecimal(text);
      if (size.compareTo(SMALLEST_RING) >= 0 && size.compareTo(LARGEST_RING) <= 0) {
        return size;
      }
    } catch (NumberFormatException e) {
      // reported below, with the value
    }
    throw new InvalidOrderMessage("order " + orderId + " has ring size '" + text + "', not an EU size");
  }

  private static String text(JsonNode m, String field) {
    JsonNode v = m.get(field);
    return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
  }
}
