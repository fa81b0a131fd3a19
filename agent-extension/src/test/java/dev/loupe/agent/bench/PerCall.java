package dev.loupe.agent.bench;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * The cost of a call measured the simple way the value benchmarks use: run it for a while to warm up,
 * then for as long again counting nanoseconds and the bytes the thread allocated.
 *
 * @param nanos nanoseconds per call
 * @param bytes bytes allocated per call (the JVM's per-thread allocation counter)
 * @param sink what the calls returned, summed, so the JIT cannot drop them
 */
public record PerCall(double nanos, double bytes, long sink) {

  /**
   * Measures {@code round}, which makes {@code calls} calls and returns something derived from their
   * results, for {@code millis} after as long warming up.
   *
   * @throws IllegalArgumentException if {@code calls} or {@code millis} is not positive
   */
  public static PerCall measure(LongSupplier round, int calls, long millis) {
    if (calls <= 0 || millis <= 0) {
      throw new IllegalArgumentException("calls and millis must be positive: " + calls + ", " + millis);
    }
    long sink = 0;
    long warm = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < warm) {
      sink += round.getAsLong();
    }
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long allocatedBefore = threads.getThreadAllocatedBytes(thread);
    long start = System.nanoTime();
    long deadline = start + millis * 1_000_000;
    long rounds = 0;
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < 100; i++) {
        sink += round.getAsLong();
      }
      rounds += 100;
    }
    long nanos = System.nanoTime() - start;
    long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
    return new PerCall((double) nanos / (rounds * calls), (double) allocated / (rounds * calls), sink);
  }
}
