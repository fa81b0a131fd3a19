package dev.loupe.reconciler;

import java.time.Duration;
import java.time.Instant;

/**
 * An order that has not reached the stage it should have by now. Only what the business needs to find
 * it in its own CRM: no customer data.
 *
 * @param age from placement to the run
 */
public record UnaccountedOrder(String orderId, Instant placedAt, Stage lastStage, Duration age) {}
