package dev.loupe.agent;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;

/**
 * A Loupe counter, created on first use: the processors that count are built while the agent's SDK
 * is still being configured, before the global meter provider exists.
 */
public final class LazyCounter {

  private final String name;
  private final String description;
  private final String unit;
  private volatile LongCounter counter;

  public LazyCounter(String name, String description, String unit) {
    this.name = name;
    this.description = description;
    this.unit = unit;
  }

  public void add(long value, Attributes attributes) {
    LongCounter c = counter;
    if (c == null) {
      c = GlobalOpenTelemetry.getMeter("dev.loupe.agent").counterBuilder(name).setDescription(description)
          .setUnit(unit).build();
      counter = c;
    }
    c.add(value, attributes);
  }
}
