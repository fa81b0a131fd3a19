package dev.loupe.sample.mes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Tells the CRM (and through it the shop) how an order is getting on. */
final class StatusPublisher {

  private final Channel channel;
  private final ObjectMapper json;

  StatusPublisher(Broker broker, ObjectMapper json) throws IOException {
    this.channel = broker.channel();
    channel.exchangeDeclare(Broker.ORDERS_EXCHANGE, "topic", true);
    this.json = json;
  }

  void publish(String orderId, String status, Integer priceCents) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("orderId", orderId);
    body.put("status", status);
    body.put("priceCents", priceCents);
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
        .contentType("application/json")
        .deliveryMode(2)
        .headers(Map.of("order_id", orderId))
        .build();
    byte[] bytes = json.writeValueAsBytes(body);
    synchronized (channel) {
      channel.basicPublish(Broker.ORDERS_EXCHANGE, Broker.STATUS_ROUTING_KEY, props, bytes);
    }
  }
}
