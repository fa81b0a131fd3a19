package dev.loupe.sample.crm;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Orders waiting for a seller, and the seller's confirmation that sends them to the factory. */
@Component
public class SellerDesk {

  private static final Logger log = LoggerFactory.getLogger(SellerDesk.class);

  /** What a confirmation came to. */
  public enum Outcome { CONFIRMED, NOT_FOUND, NOT_AWAITING }

  private final ShopOrders shopOrders;
  private final ConfirmedOrderPublisher publisher;
  private final boolean autoConfirm;

  SellerDesk(ShopOrders shopOrders, ConfirmedOrderPublisher publisher,
      @Value("${crm.auto-confirm}") boolean autoConfirm) {
    this.shopOrders = shopOrders;
    this.publisher = publisher;
    this.autoConfirm = autoConfirm;
  }

  /** Takes a new order from the Shop DB onto the sellers' desk. */
  public void register(ShopOrder order) {
    if (!shopOrders.transition(order.id(), "NEW", "AWAITING_CONFIRMATION")) {
      return;
    }
    log.info("Order {} awaits confirmation", order.id());
    if (autoConfirm) {
      confirm(order.id());
    }
  }

  /**
   * A seller confirms an order. The status is written before the message is published, as the legacy
   * code always did: if the broker refuses the message, the order stays CONFIRMED and never reaches MES.
   */
  public Outcome confirm(String orderId) {
    Optional<ShopOrder> order = shopOrders.find(orderId);
    if (order.isEmpty()) {
      return Outcome.NOT_FOUND;
    }
    if (!shopOrders.transition(orderId, "AWAITING_CONFIRMATION", "CONFIRMED")) {
      return Outcome.NOT_AWAITING;
    }
    publisher.publish(order.get());
    log.info("Order {} confirmed and sent to MES", orderId);
    return Outcome.CONFIRMED;
  }
}
