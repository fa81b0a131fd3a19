package dev.loupe.drills;

import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady customer traffic for as long as the drills run: typical orders placed at a fixed rate and the
 * operators' orders page opened at a fixed rate. Unlike the load generator it follows no order to its
 * end, so lost orders cost it nothing and it can run for an hour. Requests that cannot be sent while the
 * service is stuck (more than 32 waiting) are skipped and counted.
 */
public final class CustomerLoad implements AutoCloseable {

  private static final int MAX_WAITING = 32;

  private final PipelineClient client;
  private final ScheduledExecutorService clock = java.util.concurrent.Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "customer-clock");
    t.setDaemon(true);
    return t;
  });
  private final ThreadPoolExecutor customers = new ThreadPoolExecutor(16, 16, 0, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "customer");
        t.setDaemon(true);
        return t;
      });
  private final AtomicInteger placed = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger unanswered = new AtomicInteger();
  private final AtomicInteger skipped = new AtomicInteger();
  private final AtomicInteger pageViews = new AtomicInteger();
  private final AtomicLong pageNanos = new AtomicLong();

  /**
   * Starts at once.
   *
   * @param ordersPerSecond customers' orders a second (above 0)
   * @param pageViewsPerSecond orders page loads a second (0 for none)
   */
  public CustomerLoad(PipelineClient client, double ordersPerSecond, double pageViewsPerSecond) {
    this.client = client;
    clock.scheduleAtFixedRate(() -> submit(() -> place(OrderRequest.typical())), 0,
        (long) (1_000_000 / ordersPerSecond), TimeUnit.MICROSECONDS);
    if (pageViewsPerSecond > 0) {
      clock.scheduleAtFixedRate(() -> submit(this::openOrdersPage), 300, (long) (1_000_000 / pageViewsPerSecond),
          TimeUnit.MICROSECONDS);
    }
  }

  private void submit(Runnable request) {
    if (customers.getQueue().size() >= MAX_WAITING) {
      skipped.incrementAndGet();
      return;
    }
    customers.execute(request);
  }

  /**
   * Places one order now, as a customer of the new front end would with {@code order}; counts it with
   * the rest.
   *
   * @return the shop's answer, or {@code null} when it did not answer
   */
  public PipelineClient.Placement place(OrderRequest order) {
    try {
      PipelineClient.Placement p = client.placeOrder(order);
      (p.accepted() ? placed : refused).incrementAndGet();
      return p;
    } catch (IOException e) {
      unanswered.incrementAndGet();
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private void openOrdersPage() {
    try {
      PipelineClient.PageView view = client.ordersPage("PRICED", 0, 20);
      pageViews.incrementAndGet();
      pageNanos.addAndGet(view.nanos());
    } catch (IOException e) {
      unanswered.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Orders the shop accepted so far. */
  public int placed() {
    return placed.get();
  }

  /** One line: orders accepted, refused, unanswered, skipped; orders page loads and their mean time. */
  public String status() {
    int views = pageViews.get();
    return String.format("orders accepted %d, refused %d, unanswered %d, not sent %d; orders page %d loads (mean %d ms)",
        placed.get(), refused.get(), unanswered.get(), skipped.get(), views,
        views == 0 ? 0 : pageNanos.get() / views / 1_000_000);
  }

  @Override
  public void close() {
    clock.shutdownNow();
    ExecutorService c = customers;
    c.shutdownNow();
  }
}
