package dev.loupe.sample.crm;

/** An order as the CRM reads it from the Shop DB: what MES needs to make it, no customer details. */
public record ShopOrder(String id, int itemId, int basePriceCents, String ringSize, String engraving,
    String modelKey, String status) {}
