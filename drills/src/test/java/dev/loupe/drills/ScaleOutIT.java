package dev.loupe.drills;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.loupe.sample.stack.Eventually;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scale-out setup of {@code collector-config/overrides/scale-out-*.yaml} with real Collectors: two of
 * the first tier (routing) and two of the second (sampling), on loopback. Every trace's spans are split
 * between both first-tier Collectors, as agents behind a load balancer split them; the error span of an
 * error trace goes to one, its healthy spans to the other. Each second-tier Collector sends what it keeps
 * to its own stand-in for Tempo, and — for this test only — a copy of every span it receives, before
 * sampling, to a tap of its own, so the test can tell which sampler each span reached.
 */
class ScaleOutIT {

  private static final String SERVICE = "scale-out-drill";
  private static final int TRACES = 2_000;
  private static final int SPANS_PER_TRACE = 4;
  /** Every tenth trace has one span with an error status: tail sampling must keep each of them whole. */
  private static final int ERROR_EVERY = 10;
  /** The share of healthy traces tail sampling keeps (gateway.yaml, policy share-of-the-rest). */
  private static final double HEALTHY_SHARE = 0.10;
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void everySpanOfATraceReachesTheSameSamplerAndIsCountedOnce(@TempDir Path dir) throws Exception {
    Path collector = RealCollector.orSkip();
    String nowhere = "127.0.0.1:" + Tools.freePort();
    URI nowhereHttp = URI.create("http://" + nowhere);
    try (Prometheus prometheus = Prometheus.start(dir.resolve("prometheus"), "global:\n  scrape_interval: 15s\n");
        OtlpSink tempoA = new OtlpSink(); OtlpSink tempoB = new OtlpSink();
        OtlpSink tapA = new OtlpSink(); OtlpSink tapB = new OtlpSink();
        Gateway samplerA = sampler(collector, dir.resolve("sampling-a"), tempoA, tapA, prometheus, nowhereHttp);
        Gateway samplerB = sampler(collector, dir.resolve("sampling-b"), tempoB, tapB, prometheus, nowhereHttp);
        Gateway routerA = router(collector, dir.resolve("routing-a"), prometheus, nowhere, nowhereHttp, samplerA, samplerB);
        Gateway routerB = router(collector, dir.resolve("routing-b"), prometheus, nowhere, nowhereHttp, samplerA, samplerB)) {
      List<Trace> traces = send(routerA, routerB);
      long errorTraces = traces.stream().filter(Trace::error).count();
      int spans = TRACES * SPANS_PER_TRACE;

      // 1. every span reached exactly one sampler, and all the spans of a trace the same one
      Eventually.await("every span at a sampler", Duration.ofSeconds(60),
          () -> tapA.spans().size() + tapB.spans().size() >= spans ? Optional.of(true) : Optional.empty());
      Map<String, Long> atA = countByTrace(tapA.spans());
      Map<String, Long> atB = countByTrace(tapB.spans());
      System.out.printf("Spans received by the samplers: %d at A (%d traces), %d at B (%d traces), of %d sent%n",
          tapA.spans().size(), atA.size(), tapB.spans().size(), atB.size(), spans);
      assertThat(tapA.spans().size() + tapB.spans().size()).as("spans at the samplers").isEqualTo(spans);
      assertThat(intersection(atA.keySet(), atB.keySet())).as("traces with spans at both samplers").isEmpty();
      assertThat(atA.size() + atB.size()).as("traces at the samplers").isEqualTo(TRACES);
      assertThat(atA.values()).as("spans per trace at A").containsOnly((long) SPANS_PER_TRACE);
      assertThat(atB.values()).as("spans per trace at B").containsOnly((long) SPANS_PER_TRACE);
      assertThat(Math.min(atA.size(), atB.size())).as("traces at the less loaded sampler").isGreaterThan(TRACES / 4);

      // 2. the decisions are whole-trace: every error trace kept with all its spans, healthy ones whole
      // or not at all, and no trace kept by both samplers
      Eventually.await("every error trace kept whole", Duration.ofSeconds(60), () -> {
        Map<String, Long> kept = countByTrace(concat(tempoA.spans(), tempoB.spans()));
        return traces.stream().filter(Trace::error).allMatch(t -> kept.getOrDefault(t.id(), 0L) == SPANS_PER_TRACE)
            ? Optional.of(true) : Optional.empty();
      });
      Thread.sleep(3_000); // the samplers' batch timeout (2 s): the last kept healthy traces
      Map<String, Long> keptA = countByTrace(tempoA.spans());
      Map<String, Long> keptB = countByTrace(tempoB.spans());
      assertThat(intersection(keptA.keySet(), keptB.keySet())).as("traces kept by both samplers").isEmpty();
      assertThat(keptA.keySet()).as("traces A kept that reached A").isSubsetOf(atA.keySet());
      assertThat(keptB.keySet()).as("traces B kept that reached B").isSubsetOf(atB.keySet());
      assertThat(keptA.values()).as("spans per kept trace at A").containsOnly((long) SPANS_PER_TRACE);
      assertThat(keptB.values()).as("spans per kept trace at B").containsOnly((long) SPANS_PER_TRACE);
      long healthyKept = keptA.size() + keptB.size() - errorTraces;
      long healthy = TRACES - errorTraces;
      double share = (double) healthyKept / healthy;
      System.out.printf("Kept: all %d error traces whole (error span and healthy spans sent through different "
          + "first-tier Collectors); %d of %d healthy traces (%.1f %%, configured %.0f %%); %d traces at A, %d at B%n",
          errorTraces, healthyKept, healthy, share * 100, HEALTHY_SHARE * 100, keptA.size(), keptB.size());
      double sigma = Math.sqrt(HEALTHY_SHARE * (1 - HEALTHY_SHARE) / healthy);
      assertThat(share).as("share of healthy traces kept").isBetween(HEALTHY_SHARE - 4 * sigma, HEALTHY_SHARE + 4 * sigma);
      long newAtA = newTraces(samplerA);
      long newAtB = newTraces(samplerB);
      System.out.printf("New traces by the samplers' own count: %d at A, %d at B%n", newAtA, newAtB);
      assertThat(newAtA + newAtB).as("traces each sampler counted as new, summed").isEqualTo(TRACES);

      // 3. the span metrics count every span once: in the first tier, one series set per Collector
      String calls = "traces_span_metrics_calls_total{service=\"" + SERVICE + "\"}";
      double counted = Eventually.await("span metrics for every span sent", Duration.ofSeconds(60), () -> {
        double sum = prometheus.sum("sum(" + calls + ")").orElse(0);
        return sum >= spans ? Optional.of(sum) : Optional.empty();
      });
      Thread.sleep(2_000); // one more remote write: a count above the spans sent would show by now
      counted = prometheus.sum("sum(" + calls + ")").orElse(0);
      Map<String, Double> byCollector = new HashMap<>();
      for (var series : prometheus.query("sum by (collector_instance_id) (" + calls + ")")) {
        byCollector.put(series.path("metric").path("collector_instance_id").asText(),
            Double.parseDouble(series.path("value").get(1).asText()));
      }
      System.out.printf("Span metrics: %.0f calls counted for %d spans sent, by Collector %s%n", counted, spans,
          byCollector.values());
      assertThat(counted).as("spans counted by the span metrics").isEqualTo(spans);
      assertThat(byCollector.values()).as("calls counted by each first-tier Collector")
          .containsExactlyInAnyOrder((double) spans / 2, (double) spans / 2);
    }
  }

  /** A second-tier Collector: its kept traces to {@code tempo}, a copy of every span it receives to {@code tap}. */
  private static Gateway sampler(Path collector, Path dir, OtlpSink tempo, OtlpSink tap, Prometheus prometheus,
      URI nowhere) throws Exception {
    return Gateway.builder(collector, dir).overrides("scale-out-sampling")
        .backends(tempo.grpcEndpoint(), nowhere, prometheus.remoteWrite())
        .override(Map.of(
            "exporters", Map.of("otlp_grpc/tap", Map.of("endpoint", tap.grpcEndpoint(), "tls", Map.of("insecure", true))),
            "service", Map.of("pipelines", Map.of("traces/in", Map.of("exporters", List.of("forward/sampling",
                "otlp_grpc/tap"))))))
        .start();
  }

  /**
   * A first-tier Collector routing to {@code samplers} by the static resolver; the link on loopback is
   * plaintext without a token, as the local environment's links are (production's are TLS with the token).
   */
  private static Gateway router(Path collector, Path dir, Prometheus prometheus, String nowhere, URI nowhereHttp,
      Gateway... samplers) throws Exception {
    List<String> hostnames = new ArrayList<>();
    for (Gateway s : samplers) {
      hostnames.add(s.settings().otlpGrpc());
    }
    return Gateway.builder(collector, dir).overrides("scale-out-routing")
        .backends(nowhere, nowhereHttp, prometheus.remoteWrite())
        .override(Map.of("exporters", Map.of("load_balancing/sampling-tier", Map.of(
            "protocol", Map.of("otlp", Map.of(
                "tls", Map.of("insecure", true, "ca_file", ""),
                "auth", Map.of("enabled", false))),
            "resolver", Map.of(
                "static", Map.of("hostnames", hostnames),
                "dns", Map.of("enabled", false))))))
        .start();
  }

  record Trace(String id, boolean error) {}

  /**
   * Sends {@link #TRACES} traces of {@link #SPANS_PER_TRACE} spans, the first half of each trace's spans to
   * one first-tier Collector and the second half to the other (which one gets which half alternates);
   * an error trace's error span is its last, so it never travels with the trace's root.
   */
  private static List<Trace> send(Gateway routerA, Gateway routerB) throws Exception {
    Random random = new Random(14);
    List<Trace> traces = new ArrayList<>();
    List<Span> toA = new ArrayList<>();
    List<Span> toB = new ArrayList<>();
    long now = System.currentTimeMillis() * 1_000_000L;
    ManagedChannel a = channel(routerA);
    ManagedChannel b = channel(routerB);
    try {
      for (int t = 0; t < TRACES; t++) {
        byte[] traceId = new byte[16];
        random.nextBytes(traceId);
        boolean error = t % ERROR_EVERY == 0;
        traces.add(new Trace(HEX.formatHex(traceId), error));
        byte[] root = new byte[8];
        random.nextBytes(root);
        for (int s = 0; s < SPANS_PER_TRACE; s++) {
          byte[] spanId = s == 0 ? root : new byte[8];
          if (s > 0) {
            random.nextBytes(spanId);
          }
          Span.Builder span = Span.newBuilder().setTraceId(ByteString.copyFrom(traceId))
              .setSpanId(ByteString.copyFrom(spanId)).setName(s == 0 ? "GET /drill" : "step " + s)
              .setKind(s == 0 ? Span.SpanKind.SPAN_KIND_SERVER : Span.SpanKind.SPAN_KIND_INTERNAL)
              .setStartTimeUnixNano(now).setEndTimeUnixNano(now + 5_000_000L);
          if (s > 0) {
            span.setParentSpanId(ByteString.copyFrom(root));
          }
          if (error && s == SPANS_PER_TRACE - 1) {
            span.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
          }
          boolean firstHalf = s < SPANS_PER_TRACE / 2;
          (firstHalf == (t % 2 == 0) ? toA : toB).add(span.build());
        }
        if (toA.size() >= 200) {
          export(a, toA);
          export(b, toB);
        }
      }
      export(a, toA);
      export(b, toB);
    } finally {
      a.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      b.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    return traces;
  }

  private static final MethodDescriptor<ExportTraceServiceRequest, ExportTraceServiceResponse> EXPORT =
      OtlpSink.exportMethod("opentelemetry.proto.collector.trace.v1.TraceService",
          ExportTraceServiceRequest.getDefaultInstance(), ExportTraceServiceResponse.getDefaultInstance());

  private static ManagedChannel channel(Gateway router) {
    return NettyChannelBuilder.forTarget(router.settings().otlpGrpc()).usePlaintext().build();
  }

  /** One OTLP/gRPC export of {@code spans} (then cleared); a refusal fails the test. */
  private static void export(ManagedChannel channel, List<Span> spans) {
    if (spans.isEmpty()) {
      return;
    }
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue(SERVICE))))
        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(spans))).build();
    ClientCalls.blockingUnaryCall(channel, EXPORT, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        request);
    spans.clear();
  }

  /** The tail sampler's own count of traces it saw arrive (a trace split across samplers counts at each). */
  private static long newTraces(Gateway sampler) throws Exception {
    Matcher m = Pattern.compile("(?m)^otelcol_processor_tail_sampling_new_trace_id_received_total(?:\\{[^}]*})? (\\S+)$")
        .matcher(sampler.ownMetrics());
    long total = 0;
    while (m.find()) {
      total += (long) Double.parseDouble(m.group(1));
    }
    return total;
  }

  private static Map<String, Long> countByTrace(List<OtlpSink.Span> spans) {
    return spans.stream().collect(Collectors.groupingBy(OtlpSink.Span::traceId, Collectors.counting()));
  }

  private static Set<String> intersection(Set<String> a, Set<String> b) {
    return a.stream().filter(b::contains).collect(Collectors.toSet());
  }

  private static List<OtlpSink.Span> concat(List<OtlpSink.Span> a, List<OtlpSink.Span> b) {
    List<OtlpSink.Span> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
