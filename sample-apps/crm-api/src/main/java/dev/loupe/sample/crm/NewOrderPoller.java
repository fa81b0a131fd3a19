package dev.loupe.sample.crm;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The legacy sync: Shop and CRM share no API, so the CRM polls the Shop DB for new orders. No trace
 * context travels this way; each order starts a fresh piece of work here.
 */
@Component
class NewOrderPoller {

  private static final int BATCH = 50;

  private final ShopOrders shopOrders;
  private final SellerDesk desk;

  NewOrderPoller(ShopOrders shopOrders, SellerDesk desk) {
    this.shopOrders = shopOrders;
    this.desk = desk;
  }

  @Scheduled(fixedDelayString = "${crm.poll-interval-ms}", initialDelayString = "${crm.poll-interval-ms}")
  void poll() {
    for (ShopOrder order : shopOrders.withStatus("NEW", BATCH)) {
      desk.register(order);
    }
  }
}
