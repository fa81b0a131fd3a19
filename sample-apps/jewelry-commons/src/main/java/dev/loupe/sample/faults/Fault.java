package dev.loupe.sample.faults;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every fault the sample apps can switch on at runtime: the one place that lists them.
 *
 * <p>Each fault belongs to one service, names the failure point of the order pipeline it reproduces
 * (1–9, as in the mission; 0 for the slow orders page, which loses nothing) and says in one line
 * what it simulates. The faults of failure point 8 that belong to a page (the shop's order form, the MES
 * orders page) are switched here like the rest, by the app that serves the page, and acted on by the
 * page's script, which reads the switch when it loads. Broker and database outages are not faults here: they are real outages, made by
 * stopping the process.
 */
public enum Fault {
  SHOP_CONTROLLER_BUG("shop-api", 1,
      "orders placed without an engraving hit a NullPointerException in the controller and get 500"),
  SHOP_SAVE_SWALLOWED("shop-api", 1,
      "the order insert fails (a misspelt column), the error is logged and swallowed, the customer still gets 201"),
  SHOP_DB_SLOW("shop-api", 2,
      "every Shop DB statement first waits 1.5 s inside PostgreSQL (pg_sleep)"),
  SHOP_DB_POOL_LEAK("shop-api", 2,
      "each placed order leaks a pooled connection until the pool is exhausted (released when switched off)"),
  SHOP_S3_REJECTED("shop-api", 3,
      "model uploads are signed with revoked credentials and S3 refuses them (403)"),
  SHOP_S3_SLOW("shop-api", 3,
      "each model upload stalls for 3 s before it reaches S3"),
  SHOP_LENIENT_RING_SIZE("shop-api", 8,
      "the shop accepts the new front end's ring size format ('7 US') that MES cannot read"),
  SHOP_FORM_SCRIPT_ERROR("shop-api", 8,
      "the order form's script throws once the order is placed (it reads a field the API never sends): no confirmation shown"),
  SHOP_FORM_US_RING_SIZE("shop-api", 8,
      "the order form sends the ring size in US format ('7 US'), which the shop API rejects with 400"),
  CRM_UNROUTABLE("crm-api", 4,
      "confirmed orders are published with a misspelt routing key; the broker drops them silently"),
  CRM_MALFORMED_PAYLOAD("crm-api", 4,
      "confirmed orders are published as legacy key=value text that MES cannot parse"),
  MES_CONSUMER_REJECT("mes-api", 5,
      "MES validation demands a field the CRM does not send and rejects every order message without requeue"),
  MES_CONSUMER_SLOW("mes-api", 5,
      "the order consumer takes 2 s per message and falls behind the queue"),
  MES_CONSUMER_CRASH("mes-api", 5,
      "the order consumer acknowledges a message, then throws before storing the order"),
  MES_CALCULATION_CRASH("mes-api", 6,
      "the price calculation throws; the order stays CALCULATING for ever"),
  MES_CALCULATION_HANG("mes-api", 6,
      "the price calculation blocks (until the fault is switched off)"),
  MES_DB_SLOW("mes-api", 7,
      "every MES DB statement first waits 1.5 s inside PostgreSQL (pg_sleep)"),
  MES_DB_POOL_LEAK("mes-api", 7,
      "each orders page request leaks a pooled connection until the pool is exhausted (released when switched off)"),
  MES_ORDERS_PAGE_N_PLUS_ONE("mes-api", 0,
      "the orders page loads each order's item and operator with two more queries per row"),
  MES_ORDERS_PAGE_MISSING_INDEX("mes-api", 0,
      "drops the index the orders page filters and sorts by, so every page scans the whole table"),
  MES_PAGE_RETIRED_STATUS("mes-api", 8,
      "the orders page asks for orders in status QUOTED, which MES has since renamed PRICED, and the API answers 400");

  private final String service;
  private final int failurePoint;
  private final String description;

  Fault(String service, int failurePoint, String description) {
    this.service = service;
    this.failurePoint = failurePoint;
    this.description = description;
  }

  /** The name used on the admin endpoint and the command line, e.g. {@code crm-unroutable}. */
  public String id() {
    return name().toLowerCase().replace('_', '-');
  }

  public String service() {
    return service;
  }

  /** Failure point 1–9 from the mission; 0 for faults that slow orders down without losing any. */
  public int failurePoint() {
    return failurePoint;
  }

  public String description() {
    return description;
  }

  public static Optional<Fault> byId(String id) {
    return Arrays.stream(values()).filter(f -> f.id().equals(id)).findFirst();
  }

  public static List<Fault> of(String service) {
    return Arrays.stream(values()).filter(f -> f.service.equals(service)).toList();
  }
}
