package dev.loupe.reconciler;

import java.util.Locale;

/**
 * The stages an order passes on its way to production, in order. Each is read from one database: the
 * first two from the Shop DB (the CRM writes its confirmation there), the last three from the MES DB.
 */
public enum Stage {
  /** The shop stored the order; no seller has confirmed it in the CRM yet. */
  SHOP_ACCEPTED("shop accepted"),
  /** A seller confirmed it in the CRM, which publishes it to MES; MES has no row for it. */
  CRM_CONFIRMED("CRM confirmed"),
  /** MES stored it and is pricing it, or could not (a model it cannot read). */
  MES_RECEIVED("MES received"),
  /** MES priced it; no operator has taken it into work yet. */
  PRICED("priced"),
  /** An operator took it into work: the order is accounted for. */
  IN_PRODUCTION("in production");

  private final String label;

  Stage(String label) {
    this.label = label;
  }

  /** How the business reads it, e.g. {@code CRM confirmed}: the CSV and the summary. */
  public String label() {
    return label;
  }

  /** How the queries and the metrics name it, e.g. {@code crm_confirmed}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The later of two stages. */
  public Stage max(Stage other) {
    return other != null && other.ordinal() > ordinal() ? other : this;
  }
}
