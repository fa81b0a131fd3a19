package dev.loupe.sample.loadgen;

/** What a customer submits at the shop. Null fields are left out of the form. */
public record OrderRequest(int itemId, Customer customer, String ringSize, String engraving, byte[] model) {

  /** A typical order: a ring band with an engraving, for a random customer. */
  public static OrderRequest typical() {
    return new OrderRequest(1, Customer.random(), "17.5", "Forever", RingModel.band(17.5, 1.8, 5));
  }

  public OrderRequest withRingSize(String size) {
    return new OrderRequest(itemId, customer, size, engraving, model);
  }

  public OrderRequest withEngraving(String text) {
    return new OrderRequest(itemId, customer, ringSize, text, model);
  }

  public OrderRequest withModel(byte[] bytes) {
    return new OrderRequest(itemId, customer, ringSize, engraving, bytes);
  }
}
