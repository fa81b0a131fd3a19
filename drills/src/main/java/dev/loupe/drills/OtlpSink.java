package dev.loupe.drills;

import com.google.protobuf.MessageLite;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.loupe.sample.stack.PrivateCa;
import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * Stands in for Tempo and Loki, which cannot be built or installed here: an OTLP receiver on free
 * loopback ports, over gRPC (as the gateway sends traces to Tempo) and over HTTP/protobuf (as it sends
 * logs to Loki's {@code /otlp}), in plain text or {@link #overTls over TLS} as production's backends are.
 * It keeps what arrives for assertions, and the raw bytes of every request so a test can search all of
 * it. {@link #refuse(boolean)} makes it answer every export with an error, as a backend that is down
 * would; {@link #hang(boolean)} makes it take every export in and never answer, as a backend that hangs.
 * For load, {@link #countOnly()} keeps nothing but counts, and Prometheus remote writes are taken (not
 * read) on the HTTP listener, so one sink can stand in for every backend of the gateway.
 */
public final class OtlpSink implements AutoCloseable {

  /**
   * A span as it arrived; {@code status} is {@code STATUS_CODE_UNSET}, {@code _OK} or {@code _ERROR};
   * {@code parentSpanId} is hex, empty for a root span; {@code startEpochNanos} its start, nanoseconds
   * since the epoch.
   */
  public record Span(String service, String traceId, String spanId, String parentSpanId, String name, String status,
      Map<String, String> attributes, long startEpochNanos) {}

  /** A log record as it arrived. */
  public record LogRecord(String service, String traceId, String body, Map<String, String> attributes) {}

  private final Server grpc;
  private final HttpServer http;
  private final List<Span> spans = new CopyOnWriteArrayList<>();
  private final List<LogRecord> logs = new CopyOnWriteArrayList<>();
  private final List<byte[]> raw = new CopyOnWriteArrayList<>();
  private final AtomicBoolean refusing = new AtomicBoolean();
  private final AtomicBoolean hanging = new AtomicBoolean();
  private final List<StreamObserver<?>> unanswered = new CopyOnWriteArrayList<>();
  private volatile boolean keep = true;
  private volatile boolean closed;
  private final AtomicLong spanCount = new AtomicLong();
  private final AtomicLong logCount = new AtomicLong();

  /** Listens at once on two free ports of 127.0.0.1: one for gRPC, one for HTTP. */
  public OtlpSink() throws IOException {
    this(InsecureServerCredentials.create(), HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64));
  }

  /**
   * As a backend reached over TLS in production: both listeners present a certificate for
   * {@code 127.0.0.1} that {@code ca} issues now to {@code name}.
   */
  public static OtlpSink overTls(PrivateCa ca, String name) throws IOException {
    ca.issue(name, "serverAuth");
    HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    https.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext(name)));
    return new OtlpSink(TlsServerCredentials.create(ca.certificateOf(name).toFile(), ca.privateKeyOf(name).toFile()),
        https);
  }

  private OtlpSink(ServerCredentials grpcCredentials, HttpServer http) throws IOException {
    grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), grpcCredentials)
        .addService(service("opentelemetry.proto.collector.trace.v1.TraceService", ExportTraceServiceRequest.getDefaultInstance(),
            ExportTraceServiceResponse.getDefaultInstance(), this::traces))
        .addService(service("opentelemetry.proto.collector.logs.v1.LogsService", ExportLogsServiceRequest.getDefaultInstance(),
            ExportLogsServiceResponse.getDefaultInstance(), this::logs))
        .build().start();
    this.http = http;
    http.createContext("/", this::httpExport);
    http.start();
  }

  /** host:port of the gRPC listener (an OTLP/gRPC exporter's endpoint). */
  public String grpcEndpoint() {
    return "127.0.0.1:" + grpc.getPort();
  }

  /**
   * Base URL of the HTTP listener ({@code https://} for a sink {@link #overTls over TLS}); {@code /v1/traces}
   * and {@code /v1/logs} under any prefix are taken.
   */
  public URI httpEndpoint() {
    return URI.create((http instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:" + http.getAddress().getPort());
  }

  /** While {@code true}, every export is answered with an error (gRPC UNAVAILABLE, HTTP 503). */
  public void refuse(boolean refuse) {
    refusing.set(refuse);
  }

  /**
   * While {@code true}, every export is taken in and never answered, as a backend that accepts
   * connections and then hangs: a gRPC call stays open until the sender gives up, and the HTTP listener
   * takes no further request. Set back to {@code false}, the calls held open are answered UNAVAILABLE.
   */
  public void hang(boolean hang) {
    hanging.set(hang);
    if (!hang) {
      for (StreamObserver<?> call : unanswered) {
        call.onError(io.grpc.Status.UNAVAILABLE.withDescription("backend hung (drill)").asRuntimeException());
      }
      unanswered.clear();
    }
  }

  /** From now on keeps no span, log record or request body, only their counts: for load. */
  public OtlpSink countOnly() {
    keep = false;
    return this;
  }

  /** Spans received since the start (kept or only counted). */
  public long spanCount() {
    return spanCount.get();
  }

  /** Log records received since the start (kept or only counted). */
  public long logCount() {
    return logCount.get();
  }

  public List<Span> spans() {
    return List.copyOf(spans);
  }

  public List<LogRecord> logs() {
    return List.copyOf(logs);
  }

  /** Every request body received, decoded protobuf bytes as sent. */
  public List<byte[]> raw() {
    return List.copyOf(raw);
  }

  /**
   * The OTLP/gRPC {@code Export} method of {@code service} ({@code opentelemetry.proto.collector.trace.v1.TraceService},
   * say), for a server or a client.
   */
  public static <Q extends MessageLite, R extends MessageLite> MethodDescriptor<Q, R> exportMethod(String service,
      Q request, R response) {
    return MethodDescriptor.<Q, R>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, "Export"))
        .setRequestMarshaller(marshaller(request))
        .setResponseMarshaller(marshaller(response))
        .build();
  }

  private <Q extends MessageLite, R extends MessageLite> ServerServiceDefinition service(String name, Q request,
      R response, java.util.function.Consumer<Q> sink) {
    MethodDescriptor<Q, R> export = exportMethod(name, request, response);
    return ServerServiceDefinition.builder(name)
        .addMethod(export, ServerCalls.asyncUnaryCall((req, observer) -> {
          if (refusing.get()) {
            observer.onError(io.grpc.Status.UNAVAILABLE.withDescription("backend down (drill)").asRuntimeException());
            return;
          }
          if (hanging.get()) {
            unanswered.add(observer);
            return;
          }
          if (keep) {
            raw.add(req.toByteArray());
          }
          sink.accept(req);
          observer.onNext(response);
          observer.onCompleted();
        }))
        .build();
  }

  @SuppressWarnings("unchecked")
  private static <T extends MessageLite> MethodDescriptor.Marshaller<T> marshaller(T prototype) {
    return (MethodDescriptor.Marshaller<T>) ProtoUtils.marshaller((com.google.protobuf.Message) prototype);
  }

  private void httpExport(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (refusing.get()) {
        exchange.sendResponseHeaders(503, -1);
        return;
      }
      while (hanging.get() && !closed) {
        sleep();
      }
      byte[] body;
      try (InputStream in = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
          ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      byte[] answer;
      if (path.endsWith("/v1/traces")) {
        traces(ExportTraceServiceRequest.parseFrom(body));
        answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
      } else if (path.endsWith("/v1/logs")) {
        logs(ExportLogsServiceRequest.parseFrom(body));
        answer = ExportLogsServiceResponse.getDefaultInstance().toByteArray();
      } else if (path.endsWith("/api/v1/write")) {
        exchange.sendResponseHeaders(204, -1);
        return;
      } else {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      if (keep) {
        raw.add(body);
      }
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
    }
  }

  private void traces(ExportTraceServiceRequest request) {
    for (var rs : request.getResourceSpansList()) {
      String service = text(rs.getResource().getAttributesList(), "service.name");
      for (var ss : rs.getScopeSpansList()) {
        spanCount.addAndGet(ss.getSpansCount());
        for (var s : keep ? ss.getSpansList() : List.<io.opentelemetry.proto.trace.v1.Span>of()) {
          spans.add(new Span(service, hex(s.getTraceId().toByteArray()), hex(s.getSpanId().toByteArray()),
              hex(s.getParentSpanId().toByteArray()), s.getName(),
              s.getStatus().getCode().name(), flatten(s.getAttributesList()), s.getStartTimeUnixNano()));
        }
      }
    }
  }

  private void logs(ExportLogsServiceRequest request) {
    for (var rl : request.getResourceLogsList()) {
      String service = text(rl.getResource().getAttributesList(), "service.name");
      for (var sl : rl.getScopeLogsList()) {
        logCount.addAndGet(sl.getLogRecordsCount());
        for (var l : keep ? sl.getLogRecordsList() : List.<io.opentelemetry.proto.logs.v1.LogRecord>of()) {
          logs.add(new LogRecord(service, hex(l.getTraceId().toByteArray()), value(l.getBody()),
              flatten(l.getAttributesList())));
        }
      }
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static String text(List<KeyValue> attributes, String key) {
    return flatten(attributes).get(key);
  }

  private static Map<String, String> flatten(List<KeyValue> attributes) {
    Map<String, String> m = new LinkedHashMap<>();
    for (KeyValue kv : attributes) {
      m.put(kv.getKey(), value(kv.getValue()));
    }
    return m;
  }

  private static String value(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      default -> v.toString();
    };
  }

  private static void sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    http.stop(0);
    grpc.shutdownNow();
    try {
      grpc.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
