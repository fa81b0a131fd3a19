package dev.loupe.sample.crm;

import dev.loupe.sample.storage.ModelStore;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** The sellers' API: orders by status, an order's 3D model for review, and confirmation. */
@RestController
class OrderController {

  private final ShopOrders shopOrders;
  private final SellerDesk desk;
  private final ModelStore models;

  OrderController(ShopOrders shopOrders, SellerDesk desk, ModelStore models) {
    this.shopOrders = shopOrders;
    this.desk = desk;
    this.models = models;
  }

  @GetMapping("/api/orders")
  List<ShopOrder> orders(@RequestParam(defaultValue = "AWAITING_CONFIRMATION") String status,
      @RequestParam(defaultValue = "50") int limit) {
    return shopOrders.withStatus(status, Math.max(1, Math.min(limit, 500)));
  }

  @GetMapping("/api/orders/{orderId}/model")
  ResponseEntity<byte[]> model(@PathVariable String orderId) {
    return shopOrders.find(orderId)
        .map(order -> {
          try {
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).body(models.get(order.modelKey()));
          } catch (NoSuchKeyException e) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND).<byte[]>build();
          }
        })
        .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).build());
  }

  @PostMapping("/api/orders/{orderId}/confirm")
  ResponseEntity<Map<String, String>> confirm(@PathVariable String orderId) {
    return switch (desk.confirm(orderId)) {
      case CONFIRMED -> ResponseEntity.ok(Map.of("orderId", orderId, "status", "CONFIRMED"));
      case NOT_FOUND -> ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no such order"));
      case NOT_AWAITING -> ResponseEntity.status(HttpStatus.CONFLICT)
          .body(Map.of("error", "order " + orderId + " is not awaiting confirmation"));
    };
  }
}
