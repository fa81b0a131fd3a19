package dev.loupe.sample.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The three services' HTTP APIs as customers, sellers and operators use them. */
public final class PipelineClient {

  /** The answer to placing an order: the HTTP status and, when accepted, the order id. */
  public record Placement(int status, String orderId, String body) {
    public boolean accepted() {
      return status == 201 && orderId != null;
    }
  }

  /** One load of the operators' orders page. */
  public record PageView(int status, long nanos, List<String> orderIds) {}

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final URI shop;
  private final URI crm;
  private final URI mes;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  public PipelineClient(URI shop, URI crm, URI mes) {
    this.shop = shop;
    this.crm = crm;
    this.mes = mes;
  }

  public Placement placeOrder(OrderRequest order) throws IOException, InterruptedException {
    String boundary = "----loupe" + UUID.randomUUID();
    Multipart form = new Multipart(boundary);
    form.field("itemId", Integer.toString(order.itemId()));
    form.field("customerName", order.customer().name());
    form.field("customerEmail", order.customer().email());
    form.field("customerPhone", order.customer().phone());
    form.field("ringSize", order.ringSize());
    form.field("engraving", order.engraving());
    form.file("model", "ring.stl", order.model());
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(shop.resolve("/api/orders"))
        .timeout(TIMEOUT)
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(form.finish()))
        .build(), HttpResponse.BodyHandlers.ofString());
    String orderId = null;
    if (response.statusCode() == 201) {
      orderId = json.readTree(response.body()).path("orderId").asText(null);
    }
    return new Placement(response.statusCode(), orderId, response.body());
  }

  /** The order as the shop shows it to its customer; empty if the shop does not know it. */
  public Optional<JsonNode> shopOrder(String orderId) throws IOException, InterruptedException {
    HttpResponse<String> response = get(shop.resolve("/api/orders/" + orderId));
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    return Optional.of(expectJson(response, 200));
  }

  /** Order ids on the sellers' desk. */
  public List<String> awaitingConfirmation() throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    expectJson(get(crm.resolve("/api/orders?status=AWAITING_CONFIRMATION&limit=500")), 200)
        .forEach(o -> ids.add(o.path("id").asText()));
    return ids;
  }

  /** A seller confirms an order; returns the HTTP status. */
  public int confirm(String orderId) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(crm.resolve("/api/orders/" + orderId + "/confirm"))
        .timeout(TIMEOUT).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  public PageView ordersPage(String status, int page, int size) throws IOException, InterruptedException {
    long started = System.nanoTime();
    HttpResponse<String> response = get(mes.resolve("/api/orders?status=" + status + "&page=" + page + "&size=" + size));
    long nanos = System.nanoTime() - started;
    List<String> ids = new ArrayList<>();
    if (response.statusCode() == 200) {
      json.readTree(response.body()).path("orders").forEach(o -> ids.add(o.path("orderId").asText()));
    }
    return new PageView(response.statusCode(), nanos, ids);
  }

  /** An operator takes a priced order into work; returns the HTTP status. */
  public int assign(String orderId, int operatorId) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(mes.resolve("/api/orders/" + orderId + "/assign"))
        .timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"operatorId\":" + operatorId + "}"))
        .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** The order as MES knows it; empty if MES never received it. */
  public Optional<JsonNode> mesOrder(String orderId) throws IOException, InterruptedException {
    HttpResponse<String> response = get(mes.resolve("/api/orders/" + orderId));
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    return Optional.of(expectJson(response, 200));
  }

  private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode expectJson(HttpResponse<String> response, int status) throws IOException {
    if (response.statusCode() != status) {
      throw new IOException(response.request().method() + " " + response.uri() + " answered "
          + response.statusCode() + ": " + response.body());
    }
    return json.readTree(response.body());
  }

  /** A multipart/form-data body. */
  private static final class Multipart {
    private final String boundary;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Multipart(String boundary) {
      this.boundary = boundary;
    }

    void field(String name, String value) {
      if (value == null) {
        return;
      }
      text("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n");
    }

    void file(String name, String fileName, byte[] content) {
      text("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + fileName
          + "\"\r\nContent-Type: model/stl\r\n\r\n");
      out.writeBytes(content);
      text("\r\n");
    }

    byte[] finish() {
      text("--" + boundary + "--\r\n");
      return out.toByteArray();
    }

    private void text(String s) {
      out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
  }
}
