package dev.loupe.sample.shop;

import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.faults.FaultSwitch;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import software.amazon.awssdk.core.exception.SdkException;

/** Where customers list items, place orders with their 3D model, and follow their order. */
@RestController
class OrderController {

  private static final Logger log = LoggerFactory.getLogger(OrderController.class);

  /** EU ring sizes, the only format MES understands: "17" or "17.5". */
  private static final Pattern EU_RING_SIZE = Pattern.compile("\\d{1,2}(\\.\\d)?");
  /** What the new front end sends for customers from the US: "7 US". */
  private static final Pattern US_RING_SIZE = Pattern.compile("\\d{1,2}(\\.\\d)? ?US");

  private final OrderRepository orders;
  private final ModelUploads models;
  private final FaultSwitch faults;

  OrderController(OrderRepository orders, ModelUploads models, FaultSwitch faults) {
    this.orders = orders;
    this.models = models;
    this.faults = faults;
  }

  @GetMapping("/api/items")
  List<Map<String, Object>> items() {
    return orders.items();
  }

  @PostMapping(path = "/api/orders", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  ResponseEntity<Map<String, Object>> place(
      @RequestParam int itemId,
      @RequestParam String customerName,
      @RequestParam String customerEmail,
      @RequestParam(required = false) String customerPhone,
      @RequestParam(required = false) String ringSize,
      @RequestParam(required = false) String engraving,
      @RequestParam("model") MultipartFile model) throws IOException, InterruptedException {
    String invalid = validate(itemId, customerName, customerEmail, ringSize, model);
    if (invalid != null) {
      return ResponseEntity.badRequest().body(Map.of("error", invalid));
    }
    String engravingText = faults.isOn(Fault.SHOP_CONTROLLER_BUG)
        ? engraving.trim() // the bug: engraving is optional
        : engraving == null ? null : engraving.trim();

    String orderId = orders.nextOrderId();
    String modelKey = models.upload(orderId, model.getOriginalFilename(), model.getBytes());
    try {
      orders.insert(new OrderRepository.NewOrder(orderId, itemId, customerName.trim(), customerEmail.trim(),
          customerPhone, ringSize == null ? null : ringSize.trim(), engravingText, modelKey));
      log.info("Order {} accepted for item {}", orderId, itemId);
    } catch (DataAccessException e) {
      // legacy behaviour kept on purpose: the customer is told the order was taken either way
      log.error("Could not save order {}", orderId, e);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("orderId", orderId);
    body.put("status", "NEW");
    return ResponseEntity.created(URI.create("/api/orders/" + orderId)).body(body);
  }

  @GetMapping("/api/orders/{orderId}")
  ResponseEntity<Map<String, Object>> order(@PathVariable String orderId) {
    return orders.find(orderId)
        .map(ResponseEntity::ok)
        .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no such order")));
  }

  private String validate(int itemId, String name, String email, String ringSize, MultipartFile model) {
    if (name.isBlank()) {
      return "customerName is required";
    }
    if (!email.contains("@")) {
      return "customerEmail is not an email address";
    }
    if (model.isEmpty()) {
      return "the 3D model file is empty";
    }
    if (ringSize != null && !ringSize.isBlank()) {
      String size = ringSize.trim();
      boolean accepted = EU_RING_SIZE.matcher(size).matches()
          || faults.isOn(Fault.SHOP_LENIENT_RING_SIZE) && US_RING_SIZE.matcher(size).matches();
      if (!accepted) {
        return "ringSize must be an EU size such as 17 or 17.5";
      }
    }
    if (!orders.itemExists(itemId)) {
      return "no item " + itemId;
    }
    return null;
  }

  @ExceptionHandler(SdkException.class)
  ResponseEntity<Map<String, Object>> storageFailed(SdkException e) {
    log.error("Model upload failed", e);
    return ResponseEntity.status(HttpStatus.BAD_GATEWAY).body(Map.of("error", "model storage unavailable"));
  }

  @ExceptionHandler(DataAccessResourceFailureException.class)
  ResponseEntity<Map<String, Object>> databaseUnavailable(DataAccessResourceFailureException e) {
    log.error("Shop database unavailable", e);
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("error", "shop database unavailable"));
  }
}
