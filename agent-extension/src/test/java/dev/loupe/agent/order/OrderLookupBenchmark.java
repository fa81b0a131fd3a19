package dev.loupe.agent.order;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.bench.PerCall;
import dev.loupe.agent.order.mdc.ContextOrder;
import dev.loupe.agent.order.mdc.PulledOrder;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.instrumentation.api.instrumenter.Instrumenter;
import io.opentelemetry.instrumentation.api.instrumenter.SpanKindExtractor;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * What finding a log line's order costs, per line: the lookup Logback's MDC and Log4j2's context data
 * make in the application's class loader ({@code ContextOrder.forLog}), and the one the log record
 * processor makes for each exported record ({@code OrderIds.of}, then the pulled message in hand), in
 * the contexts a line is written in — none (most lines of a service), an order in baggage (a consumer or
 * a request whose caller sent it), the request's server span (an id found in the path), a child span
 * under it, and a pulled message in hand. Prints nanoseconds and bytes allocated per lookup.
 *
 * <p>Not part of {@code mvn verify}:
 *
 * <pre>
 * mvn -B verify -pl agent-extension -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=OrderLookupBenchmark
 * </pre>
 *
 * {@code loupe.bench.seconds} sets the measured time per case (default 3; as long again to warm up).
 */
class OrderLookupBenchmark {

  @Test
  void costPerLogLine() {
    SdkTracerProvider provider = SdkTracerProvider.builder().build();
    Instrumenter<String, Void> requests = Instrumenter.<String, Void>builder(
        OpenTelemetrySdk.builder().setTracerProvider(provider).build(), "bench", name -> name)
        .buildInstrumenter(SpanKindExtractor.alwaysServer());
    Context request = requests.start(Context.root(), "GET /api/orders/{orderId}");
    Span.fromContext(request).setAttribute(OrderIds.ORDER_ID, "JW-004217");
    Context child = request.with(provider.get("bench").spanBuilder("SELECT shop.orders").setParent(request).startSpan());
    Context baggage = Context.root().with(Baggage.builder().put(OrderIds.BAGGAGE_KEY, "JW-004218").build());

    Map<String, Context> contexts = new LinkedHashMap<>();
    contexts.put("no order", Context.root());
    contexts.put("order in baggage", baggage);
    contexts.put("request's server span", request);
    contexts.put("child span in the request", child);
    Map<String, Function<Context, String>> lookups = new LinkedHashMap<>();
    lookups.put("log line (MDC, context data)", ContextOrder::forLog);
    lookups.put("exported record", c -> {
      String id = OrderIds.of(c);
      return id != null ? id : PulledInHand.of(c);
    });

    long millis = Long.getLong("loupe.bench.seconds", 3) * 1000;
    System.out.printf("[order lookup] %d ms measured per case after as long warming up%n", millis);
    System.out.println("| lookup | context | order found | ns per line | bytes allocated per line |");
    System.out.println("|---|---|---|---|---|");
    long sink = 0;
    for (Map.Entry<String, Function<Context, String>> lookup : lookups.entrySet()) {
      for (Map.Entry<String, Context> context : contexts.entrySet()) {
        sink += measure(lookup.getKey(), context.getKey(), lookup.getValue(), context.getValue(), millis);
      }
    }
    // a pulled message in hand, on this thread, outside any request
    Object channel = new Object();
    PulledOrder.pulled(channel, 7, false, "JW-004219", null);
    PulledInHand.accepts(new Object[] {PulledOrder.SIGNAL, "JW-004219", null, Boolean.FALSE});
    try {
      for (Map.Entry<String, Function<Context, String>> lookup : lookups.entrySet()) {
        sink += measure(lookup.getKey(), "pulled message in hand", lookup.getValue(), Context.root(), millis);
      }
    } finally {
      PulledOrder.settled(channel, 7, false);
      PulledInHand.accepts(new Object[] {PulledOrder.SIGNAL, null, null, Boolean.FALSE});
    }
    assertThat(sink).isPositive();
  }

  private static long measure(String lookup, String name, Function<Context, String> f, Context context, long millis) {
    String found = f.apply(context);
    if (!name.equals("no order")) {
      assertThat(found).as("the benchmark measures a lookup that finds the order: " + lookup + ", " + name).isNotNull();
    }
    PerCall cost = PerCall.measure(() -> {
      String id = f.apply(context);
      return id == null ? 1 : id.length();
    }, 1, millis);
    System.out.printf(Locale.ROOT, "| %s | %s | %s | %.1f | %.0f |%n", lookup, name, found == null ? "none" : found,
        cost.nanos(), cost.bytes());
    return cost.sink();
  }
}
