package dev.loupe.agent.order.methods;

import dev.loupe.agent.order.Operation;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.LogRecordBuilder;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs inside the application's class loader: the watched operations' calls still running. Once a
 * second, a call past its deadline is reported once: {@code loupe.loss.reason=overdue} and an event on
 * its span (still open, so the span that carries the order id says it), and a WARN log record with the
 * order id. {@code loupe.operation.oldest_inflight_age} is the age of each operation's oldest call.
 */
public final class InFlightOperations {

  private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("operation");
  private static final AttributeKey<String> REASON = AttributeKey.stringKey("loupe.loss.reason");
  private static final Set<OrderMethodSupport.Held> running = ConcurrentHashMap.newKeySet();
  private static volatile ScheduledExecutorService watch;
  private static volatile io.opentelemetry.api.metrics.LongCounter overdueCalls;

  private InFlightOperations() {}

  static void begin(OrderMethodSupport.Held call, Collection<Operation> all) {
    if (watch == null) {
      start(all);
    }
    running.add(call);
  }

  static void end(OrderMethodSupport.Held call) {
    running.remove(call);
  }

  private static synchronized void start(Collection<Operation> all) {
    if (watch != null) {
      return;
    }
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "loupe-operation-watch");
      t.setDaemon(true);
      return t;
    });
    executor.scheduleWithFixedDelay(InFlightOperations::reportOverdue, 1, 1, TimeUnit.SECONDS);
    GlobalOpenTelemetry.getMeter("dev.loupe.agent").gaugeBuilder("loupe.operation.oldest_inflight_age")
        .setUnit("s").setDescription("Age of the oldest call of each watched operation still running; 0 when none")
        .buildWithCallback(measurement -> {
          Map<String, Double> oldest = new HashMap<>();
          all.forEach(o -> oldest.put(o.name(), 0.0));
          long now = System.nanoTime();
          for (OrderMethodSupport.Held call : running) {
            oldest.merge(call.operation.name(), (now - call.startNanos) / 1e9, Math::max);
          }
          oldest.forEach((name, age) -> measurement.record(age, Attributes.of(OPERATION, name)));
        });
    overdueCalls = GlobalOpenTelemetry.getMeter("dev.loupe.agent").counterBuilder("loupe.operation.overdue")
        .setDescription("Calls of watched operations that ran past their deadline").setUnit("{call}").build();
    watch = executor;
  }

  private static void reportOverdue() {
    try {
      long now = System.nanoTime();
      for (OrderMethodSupport.Held call : running) {
        long age = now - call.startNanos;
        if (call.overdue || age < call.operation.deadline().toNanos()) {
          continue;
        }
        call.overdue = true;
        String name = call.operation.name();
        call.span.setAttribute(REASON, "overdue");
        Instant at = Instant.now();
        call.span.addEvent("loupe.loss", Attributes.of(REASON, "overdue", OPERATION, name), at);
        overdueCalls.add(1, Attributes.of(OPERATION, name));
        String order = call.orderId == null ? "an order" : "order " + call.orderId;
        LogRecordBuilder record = GlobalOpenTelemetry.get().getLogsBridge().get("dev.loupe.agent").logRecordBuilder()
            .setTimestamp(at)
            .setSeverity(Severity.WARN)
            .setSeverityText("WARN")
            .setBody("Operation " + name + " for " + order + " is overdue: running "
                + TimeUnit.NANOSECONDS.toSeconds(age) + " s, deadline " + call.operation.deadline().getSeconds() + " s")
            .setAttribute(REASON, "overdue")
            .setAttribute(OPERATION, name)
            .setContext(Context.root().with(call.span));
        if (call.orderId != null) {
          record.setAttribute(AttributeKey.stringKey("order.id"), call.orderId);
        }
        record.emit();
      }
    } catch (RuntimeException e) {
      // the watch must survive anything one report does
    }
  }
}
