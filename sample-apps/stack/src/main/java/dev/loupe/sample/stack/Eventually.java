package dev.loupe.sample.stack;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/** Waiting for something the pipeline does asynchronously: for tests and drills. */
public final class Eventually {

  private Eventually() {}

  /** Polls until {@code probe} returns a present value, or fails after {@code timeout} saying what was awaited. */
  public static <T> T await(String what, Duration timeout, Callable<Optional<T>> probe) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<T> value = probe.call();
      if (value.isPresent()) {
        return value.get();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(200);
    }
  }
}
