package dev.loupe.sample.crm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpRejectAndDontRequeueException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/** Writes the status changes MES reports back into the Shop DB, where the customer sees them. */
@Component
class StatusListener {

  private static final Logger log = LoggerFactory.getLogger(StatusListener.class);

  private final ShopOrders shopOrders;
  private final ObjectMapper json;

  StatusListener(ShopOrders shopOrders, ObjectMapper json) {
    this.shopOrders = shopOrders;
    this.json = json;
  }

  @RabbitListener(queues = CrmApplication.STATUS_QUEUE)
  void onStatus(Message message) {
    JsonNode body;
    try {
      body = json.readTree(message.getBody());
    } catch (IOException e) {
      throw new AmqpRejectAndDontRequeueException("status message is not JSON", e);
    }
    String orderId = body.path("orderId").asText(null);
    String status = body.path("status").asText(null);
    if (orderId == null || status == null) {
      throw new AmqpRejectAndDontRequeueException("status message without orderId or status");
    }
    Integer price = body.hasNonNull("priceCents") ? body.get("priceCents").asInt() : null;
    if (shopOrders.report(orderId, status, price)) {
      log.info("Order {} is now {}", orderId, status);
    } else {
      log.warn("MES reported status {} for order {}, which the Shop DB does not have", status, orderId);
    }
  }
}
