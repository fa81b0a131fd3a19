package dev.loupe.sample.crm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.faults.FaultSwitch;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;

/**
 * Sends a confirmed order to MES. Like the legacy code, it publishes without {@code mandatory} unless
 * {@code crm.publish-mandatory} is set: a message the broker cannot route is then dropped without a
 * word to the publisher. With it set, the broker returns such a message, and nobody in the CRM listens.
 */
@Component
class ConfirmedOrderPublisher {

  private final RabbitTemplate rabbit;
  private final ObjectMapper json;
  private final FaultSwitch faults;

  ConfirmedOrderPublisher(RabbitTemplate rabbit, ObjectMapper json, FaultSwitch faults,
      @org.springframework.beans.factory.annotation.Value("${crm.publish-mandatory:false}") boolean mandatory) {
    if (mandatory) {
      // Spring publishes with mandatory only when someone takes the returns
      rabbit.setMandatory(true);
      rabbit.setReturnsCallback(returned -> org.slf4j.LoggerFactory.getLogger(ConfirmedOrderPublisher.class)
          .warn("The broker returned a message to {} ({})", returned.getExchange(), returned.getReplyText()));
    }
    this.rabbit = rabbit;
    this.json = json;
    this.faults = faults;
  }

  void publish(ShopOrder order) {
    String routingKey = faults.isOn(Fault.CRM_UNROUTABLE) ? "order.confirmd" : CrmApplication.CONFIRMED_ROUTING_KEY;
    rabbit.send(CrmApplication.ORDERS_EXCHANGE, routingKey, message(order));
  }

  private Message message(ShopOrder order) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("orderId", order.id());
    body.put("itemId", order.itemId());
    body.put("basePriceCents", order.basePriceCents());
    body.put("ringSize", order.ringSize());
    body.put("engraving", order.engraving());
    body.put("modelKey", order.modelKey());
    byte[] bytes;
    String contentType;
    if (faults.isOn(Fault.CRM_MALFORMED_PAYLOAD)) {
      StringBuilder legacy = new StringBuilder();
      body.forEach((k, v) -> legacy.append(k).append('=').append(v).append(';'));
      bytes = legacy.toString().getBytes(StandardCharsets.UTF_8);
      contentType = MessageProperties.CONTENT_TYPE_TEXT_PLAIN;
    } else {
      try {
        bytes = json.writeValueAsBytes(body);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write order " + order.id(), e);
      }
      contentType = MessageProperties.CONTENT_TYPE_JSON;
    }
    return MessageBuilder.withBody(bytes)
        .setContentType(contentType)
        .setDeliveryMode(MessageDeliveryMode.PERSISTENT)
        .build();
  }
}
