package dev.loupe.agent.order;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.instrumentation.api.instrumenter.Instrumenter;
import io.opentelemetry.instrumentation.api.instrumenter.SpanKindExtractor;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrderSpanProcessorTest {

  private final OrderCorrelation orders =
      new OrderCorrelation(OrderIdSettings.from(DefaultConfigProperties.createFromMap(Map.of())));
  private final InMemorySpanExporter exported = InMemorySpanExporter.create();
  private final SdkTracerProvider provider = SdkTracerProvider.builder()
      .addSpanProcessor(orders.spanProcessor())
      .addSpanProcessor(SimpleSpanProcessor.create(exported))
      .build();
  private final Tracer tracer = provider.get("test");
  /** Starts server spans as the agent's instrumentation does: the request's local root span in its context. */
  private final Instrumenter<String, Void> requests = Instrumenter.<String, Void>builder(
      OpenTelemetrySdk.builder().setTracerProvider(provider).build(), "test", name -> name)
      .buildInstrumenter(SpanKindExtractor.alwaysServer());

  private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };
  private static final TextMapSetter<Map<String, String>> SETTER = Map::put;

  private String orderIdOf(String name) {
    return exported.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst()
        .map(SpanData::getAttributes).map(a -> a.get(OrderIds.ORDER_ID)).orElse(null);
  }

  @Test
  void aServerSpanTakesTheIdFromItsPathAndItsChildrenInheritIt() {
    Span server = tracer.spanBuilder("GET /api/orders/{orderId}").setSpanKind(SpanKind.SERVER)
        .setAttribute("url.path", "/api/orders/JW-000007").startSpan();
    try (Scope ignored = server.makeCurrent()) {
      Span child = tracer.spanBuilder("SELECT shop.orders").setSpanKind(SpanKind.CLIENT).startSpan();
      child.end();
    }
    server.end();
    assertThat(orderIdOf("GET /api/orders/{orderId}")).isEqualTo("JW-000007");
    assertThat(orderIdOf("SELECT shop.orders")).isEqualTo("JW-000007");
  }

  @Test
  void aQueryParameterNamesTheOrder() {
    tracer.spanBuilder("GET /api/status").setSpanKind(SpanKind.SERVER)
        .setAttribute("url.path", "/api/status").setAttribute("url.query", "page=2&orderId=JW-9&x=1").startSpan().end();
    assertThat(orderIdOf("GET /api/status")).isEqualTo("JW-9");
  }

  @Test
  void spansWithoutAnOrderStayWithout() {
    tracer.spanBuilder("GET /api/items").setSpanKind(SpanKind.SERVER).setAttribute("url.path", "/api/items")
        .startSpan().end();
    assertThat(orderIdOf("GET /api/items")).isNull();
  }

  @Test
  void theIdTravelsAsBaggageThroughAnOutgoingMessageAndComesBackOnTheConsumer() {
    var propagator = orders.propagator(W3CBaggagePropagator.getInstance());
    Span producer = tracer.spanBuilder("publish").setSpanKind(SpanKind.PRODUCER)
        .setParent(Context.root().with(Baggage.builder().put("order.id", "JW-000011").build())).startSpan();
    Map<String, String> headers = new HashMap<>();
    propagator.inject(Context.root().with(producer), headers, SETTER);
    producer.end();
    assertThat(headers.get("baggage")).contains("order.id=JW-000011");

    Context consumed = propagator.extract(Context.root(), headers, GETTER);
    tracer.spanBuilder("process").setSpanKind(SpanKind.CONSUMER).setParent(consumed).startSpan().end();
    assertThat(orderIdOf("process")).isEqualTo("JW-000011");
  }

  @Test
  void aConfiguredHeaderNamesTheOrderAndForgedBaggageIsDropped() {
    var propagator = orders.propagator(W3CBaggagePropagator.getInstance());
    Context fromHeader = propagator.extract(Context.root(), Map.of("order_id", "JW-000012"), GETTER);
    assertThat(Baggage.fromContext(fromHeader).getEntryValue("order.id")).isEqualTo("JW-000012");

    Context forged = propagator.extract(Context.root(), Map.of("baggage", "order.id=alice%40example.com"), GETTER);
    assertThat(Baggage.fromContext(forged).getEntryValue("order.id")).isNull();
  }

  /** What the application's class loader's {@code PulledOrder} sends when its thread pulls or lets go. */
  private void pulled(String id, Object work, boolean autoAck) {
    TextMapGetter<Object[]> none = new TextMapGetter<>() {
      @Override
      public Iterable<String> keys(Object[] carrier) {
        return java.util.List.of();
      }

      @Override
      public String get(Object[] carrier, String key) {
        return null;
      }
    };
    Context back = orders.propagator(W3CBaggagePropagator.getInstance())
        .extract(Context.root(), new Object[] {dev.loupe.agent.order.mdc.PulledOrder.SIGNAL, id, work, autoAck}, none);
    assertThat(back).as("the signal leaves the context as it was").isSameAs(Context.root());
  }

  @Test
  void workOnAPulledMessageCarriesItsOrderUntilItIsSettledButANewRequestDoesNot() {
    pulled("JW-000031", null, false);
    try {
      tracer.spanBuilder("next-stage publish").setSpanKind(SpanKind.PRODUCER).startSpan().end();
      tracer.spanBuilder("GET /health").setSpanKind(SpanKind.SERVER).startSpan().end();
      Map<String, String> headers = new HashMap<>();
      orders.propagator(W3CBaggagePropagator.getInstance()).inject(Context.root(), headers, SETTER);
      assertThat(headers).containsEntry("baggage", "order.id=JW-000031");
      Context request = requests.start(Context.root(), "POST /reservations");
      try (Scope ignored = request.makeCurrent()) {
        // a request on the same thread is other work: the message was pulled outside it
        tracer.spanBuilder("INSERT reservations").setSpanKind(SpanKind.CLIENT).startSpan().end();
      }
      requests.end(request, "POST /reservations", null, null);
    } finally {
      pulled(null, null, false);
    }
    tracer.spanBuilder("after settling").startSpan().end();
    assertThat(orderIdOf("next-stage publish")).isEqualTo("JW-000031");
    assertThat(orderIdOf("GET /health")).isNull();
    assertThat(orderIdOf("INSERT reservations")).isNull();
    assertThat(orderIdOf("after settling")).isNull();
  }

  @Test
  void aMessagePulledWithAutoAckIsLetGoOnceTheThreadIsInOtherWork() {
    pulled("JW-000032", null, true);
    try {
      tracer.spanBuilder("first").startSpan().end();
      Context request = requests.start(Context.root(), "GET /orders");
      try (Scope ignored = request.makeCurrent()) {
        tracer.spanBuilder("inside a request").startSpan().end();
      }
      requests.end(request, "GET /orders", null, null);
      tracer.spanBuilder("after the request").startSpan().end();
    } finally {
      pulled(null, null, false);
    }
    assertThat(orderIdOf("first")).isEqualTo("JW-000032");
    assertThat(orderIdOf("inside a request")).isNull();
    assertThat(orderIdOf("after the request")).as("auto-ack has nothing to settle: it ends with the work").isNull();
  }
}
