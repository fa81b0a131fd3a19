package dev.loupe.drills;

import dev.loupe.collector.CollectorUnavailableException;
import dev.loupe.collector.LoupeCollector;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** The Collector binary the drills run ({@code loupe-otelcol}, built or cached, or {@code LOUPE_OTELCOL}). */
final class RealCollector {

  private RealCollector() {}

  /** The binary; without one (no Go, no {@code LOUPE_OTELCOL}) the calling test is skipped, saying why. */
  static Path orSkip() throws Exception {
    try {
      return LoupeCollector.binary();
    } catch (CollectorUnavailableException e) {
      Assumptions.abort("no Collector to run: " + e.getMessage());
      throw e;
    }
  }
}
