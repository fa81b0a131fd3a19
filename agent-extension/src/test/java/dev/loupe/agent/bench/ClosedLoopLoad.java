package dev.loupe.agent.bench;

import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed loop: each worker sends its next request as soon as the previous one is answered, cycling
 * through the requests that make telemetry in all three apps — placing an order (Shop DB, S3, then CRM
 * and MES over RabbitMQ), the shop's and MES's order lookups, and MES's orders page (one query per order).
 * Latencies are kept only inside the measured window.
 */
final class ClosedLoopLoad {

  enum Kind { PLACE, SHOP_LOOKUP, MES_LOOKUP, ORDERS_PAGE }

  /** What a run measured. */
  record Figures(double seconds, Map<Kind, long[]> nanos, long errors, String firstError) {
    long requests() {
      return nanos.values().stream().mapToLong(a -> a.length).sum();
    }

    double throughput() {
      return requests() / seconds;
    }

    long[] all() {
      return nanos.values().stream().flatMapToLong(Arrays::stream).sorted().toArray();
    }

    static double percentileMillis(long[] sorted, double p) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
  }

  private final PipelineClient client;
  private final int workers;
  private final ConcurrentLinkedDeque<String> placed = new ConcurrentLinkedDeque<>();
  private final AtomicLong errors = new AtomicLong();
  private volatile String firstError;

  ClosedLoopLoad(PipelineClient client, int workers) {
    this.client = client;
    this.workers = workers;
  }

  /**
   * Runs {@code warmupNanos} unmeasured, then {@code measureNanos} measured; returns when every worker
   * has stopped.
   */
  Figures run(long warmupNanos, long measureNanos) throws InterruptedException {
    long start = System.nanoTime();
    long measureFrom = start + warmupNanos;
    long end = measureFrom + measureNanos;
    List<Map<Kind, LongList>> perWorker = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      Map<Kind, LongList> mine = new EnumMap<>(Kind.class);
      for (Kind k : Kind.values()) {
        mine.put(k, new LongList());
      }
      perWorker.add(mine);
      int offset = w;
      Thread t = new Thread(() -> loop(offset, measureFrom, end, mine), "load-" + w);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    long errorsInWindow = errors.get();
    Map<Kind, long[]> nanos = new EnumMap<>(Kind.class);
    for (Kind k : Kind.values()) {
      LongList merged = new LongList();
      perWorker.forEach(m -> merged.addAll(m.get(k)));
      nanos.put(k, merged.sorted());
    }
    return new Figures(measureNanos / 1e9, nanos, errorsInWindow, firstError);
  }

  private void loop(int offset, long measureFrom, long end, Map<Kind, LongList> latencies) {
    Kind[] kinds = Kind.values();
    for (long i = offset; ; i++) {
      long before = System.nanoTime();
      if (before >= end) {
        return;
      }
      Kind kind = kinds[(int) (i % kinds.length)];
      boolean ok = send(kind);
      long after = System.nanoTime();
      if (before >= measureFrom && after <= end) {
        if (ok) {
          latencies.get(kind).add(after - before);
        } else {
          errors.incrementAndGet();
        }
      }
    }
  }

  private boolean send(Kind kind) {
    try {
      switch (kind) {
        case PLACE -> {
          PipelineClient.Placement p = client.placeOrder(OrderRequest.typical());
          if (p.status() != 201) {
            return failed("placing an order answered " + p.status());
          }
          placed.addFirst(p.orderId());
          if (placed.size() > 500) {
            placed.pollLast();
          }
        }
        case SHOP_LOOKUP -> {
          String id = recent();
          if (id != null && client.shopOrder(id).isEmpty()) {
            return failed("the shop does not know order " + id);
          }
        }
        // MES may not have an order yet (it arrives over RabbitMQ): a 404 is an answer, not an error
        case MES_LOOKUP -> client.mesOrder(recent() == null ? "JW-000000" : recent());
        case ORDERS_PAGE -> {
          int status = client.ordersPage("PRICED", 0, 20).status();
          if (status != 200) {
            return failed("the orders page answered " + status);
          }
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(e.toString());
    } catch (Exception e) {
      return failed(kind + ": " + e);
    }
  }

  private String recent() {
    String[] ids = placed.toArray(String[]::new);
    return ids.length == 0 ? null : ids[ThreadLocalRandom.current().nextInt(Math.min(ids.length, 50))];
  }

  private boolean failed(String why) {
    if (firstError == null) {
      firstError = why;
    }
    return false;
  }

  /** A growable array of longs. */
  private static final class LongList {
    private long[] values = new long[1024];
    private int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    void addAll(LongList other) {
      for (int i = 0; i < other.size; i++) {
        add(other.values[i]);
      }
    }

    long[] sorted() {
      long[] out = Arrays.copyOf(values, size);
      Arrays.sort(out);
      return out;
    }
  }
}
