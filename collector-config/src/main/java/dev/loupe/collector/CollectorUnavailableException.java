package dev.loupe.collector;

/**
 * There is no Collector binary to run here: no external one is configured ({@value
 * LoupeCollector#BINARY_ENV}) and Go is not installed to build {@code loupe-otelcol}. Tests that need a
 * Collector skip with this exception's message.
 */
public final class CollectorUnavailableException extends Exception {

  private static final long serialVersionUID = 1L;

  /** @param message what is missing and the one setting or install that supplies it */
  public CollectorUnavailableException(String message) {
    super(message);
  }
}
