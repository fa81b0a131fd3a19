package dev.loupe.sample.stack;

/** The three legacy services, as their jars are built in this repository. */
public enum Service {
  SHOP("shop-api"),
  CRM("crm-api"),
  MES("mes-api");

  private final String id;

  Service(String id) {
    this.id = id;
  }

  /** The service name, also its {@code service.name} in telemetry: {@code shop-api}. */
  public String id() {
    return id;
  }
}
