package dev.loupe.agent.harness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * An OTLP/HTTP (protobuf) receiver on a free loopback port: what the agents under test export, kept for
 * assertions. It also keeps every request's raw bytes, so a test can search all exported telemetry.
 * {@link #tls} makes it an HTTPS receiver, optionally demanding a client certificate.
 */
public final class OtlpReceiver implements AutoCloseable {

  /**
   * A span as exported, flattened for assertions; times in nanoseconds since the epoch; {@code scope} is
   * the instrumentation scope that made it ({@code io.opentelemetry.tomcat-10.0}); {@code parentSpanId}
   * empty for a root span.
   */
  public record ExportedSpan(String service, String traceId, String spanId, String name, String kind,
      Map<String, String> attributes, long startTimeUnixNano, long endTimeUnixNano, List<ExportedEvent> events,
      String scope, String parentSpanId) {
    public String orderId() {
      return attributes.get("order.id");
    }
  }

  /** A span event as exported. */
  public record ExportedEvent(String name, long timeUnixNano, Map<String, String> attributes) {}

  /**
   * A log record as exported: {@code timeUnixNano} is when the event happened (0 if the record does not
   * say), {@code observedTimeUnixNano} when the SDK saw it.
   */
  public record ExportedLog(String service, String traceId, String spanId, String body,
      Map<String, String> attributes, long timeUnixNano, long observedTimeUnixNano) {
    public String orderId() {
      return attributes.get("order.id");
    }
  }

  private final HttpServer server;
  private final List<ExportedSpan> spans = new CopyOnWriteArrayList<>();
  private final List<ExportedLog> logs = new CopyOnWriteArrayList<>();
  private final List<ExportMetricsServiceRequest> metrics = new CopyOnWriteArrayList<>();
  private final List<byte[]> raw = new CopyOnWriteArrayList<>();
  private final List<String> clients = new CopyOnWriteArrayList<>();
  private final Map<String, Map<String, String>> resources = new ConcurrentHashMap<>();

  public OtlpReceiver() throws IOException {
    this(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64));
  }

  /**
   * An HTTPS receiver presenting the certificate of {@code context}; with {@code clientCertificates}, a
   * client that presents no certificate its trust managers accept is refused in the handshake.
   */
  public static OtlpReceiver tls(SSLContext context, boolean clientCertificates) throws IOException {
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setHttpsConfigurator(new HttpsConfigurator(context) {
      @Override
      public void configure(HttpsParameters params) {
        var ssl = context.getDefaultSSLParameters();
        ssl.setNeedClientAuth(clientCertificates);
        params.setSSLParameters(ssl);
      }
    });
    return new OtlpReceiver(server);
  }

  private OtlpReceiver(HttpServer server) {
    this.server = server;
    server.createContext("/v1/traces", e -> receive(e, this::traces, ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
    server.createContext("/v1/logs", e -> receive(e, this::logs, ExportLogsServiceResponse.getDefaultInstance().toByteArray()));
    server.createContext("/v1/metrics", e -> receive(e, this::metrics, ExportMetricsServiceResponse.getDefaultInstance().toByteArray()));
    server.start();
  }

  /** The base URL to give {@code otel.exporter.otlp.endpoint}. */
  public String endpoint() {
    return (server instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The subject of the client certificate of each request received over mutual TLS. */
  public List<String> clients() {
    return List.copyOf(clients);
  }

  public List<ExportedSpan> spans() {
    return List.copyOf(spans);
  }

  public List<ExportedLog> logs() {
    return List.copyOf(logs);
  }

  public List<ExportMetricsServiceRequest> metrics() {
    return List.copyOf(metrics);
  }

  /** A data point of a sum or gauge, as exported. */
  public record ExportedPoint(String service, String metric, Map<String, String> attributes, double value) {}

  /** Every sum and gauge data point exported so far, oldest first; a histogram point gives its count. */
  public List<ExportedPoint> points() {
    List<ExportedPoint> out = new ArrayList<>();
    for (ExportMetricsServiceRequest request : metrics) {
      for (var resourceMetrics : request.getResourceMetricsList()) {
        String service = service(resourceMetrics.getResource());
        for (var scope : resourceMetrics.getScopeMetricsList()) {
          for (var metric : scope.getMetricsList()) {
            var points = metric.hasSum() ? metric.getSum().getDataPointsList()
                : metric.hasGauge() ? metric.getGauge().getDataPointsList() : List.<io.opentelemetry.proto.metrics.v1.NumberDataPoint>of();
            for (var point : points) {
              double value = point.hasAsInt() ? point.getAsInt() : point.getAsDouble();
              out.add(new ExportedPoint(service, metric.getName(), attributes(point.getAttributesList()), value));
            }
            if (metric.hasHistogram()) {
              for (var point : metric.getHistogram().getDataPointsList()) {
                out.add(new ExportedPoint(service, metric.getName(), attributes(point.getAttributesList()), point.getCount()));
              }
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * The resource attributes ({@code process.runtime.version}, {@code telemetry.sdk.version}, ...) of the
   * last spans {@code service} exported; empty before it exported any.
   */
  public Map<String, String> resource(String service) {
    return resources.getOrDefault(service, Map.of());
  }

  /** Every byte the agents exported, request by request. */
  public List<byte[]> raw() {
    return List.copyOf(raw);
  }

  private interface Parser {
    void parse(byte[] body) throws IOException;
  }

  private void receive(HttpExchange exchange, Parser parser, byte[] response) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
          ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      raw.add(body);
      if (exchange instanceof HttpsExchange https) {
        try {
          clients.add(https.getSSLSession().getPeerPrincipal().getName());
        } catch (SSLPeerUnverifiedException noClientCertificate) {
          // one-way TLS
        }
      }
      try {
        parser.parse(body);
      } catch (IOException | RuntimeException e) {
        exchange.sendResponseHeaders(400, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, response.length);
      exchange.getResponseBody().write(response);
    }
  }

  private void traces(byte[] body) throws IOException {
    ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
    for (var resourceSpans : request.getResourceSpansList()) {
      String service = service(resourceSpans.getResource());
      resources.put(service, attributes(resourceSpans.getResource().getAttributesList()));
      for (var scope : resourceSpans.getScopeSpansList()) {
        for (var span : scope.getSpansList()) {
          List<ExportedEvent> events = new ArrayList<>();
          for (var event : span.getEventsList()) {
            events.add(new ExportedEvent(event.getName(), event.getTimeUnixNano(), attributes(event.getAttributesList())));
          }
          spans.add(new ExportedSpan(service, hex(span.getTraceId().toByteArray()), hex(span.getSpanId().toByteArray()),
              span.getName(), span.getKind().name(), attributes(span.getAttributesList()), span.getStartTimeUnixNano(),
              span.getEndTimeUnixNano(), List.copyOf(events), scope.getScope().getName(),
              hex(span.getParentSpanId().toByteArray())));
        }
      }
    }
  }

  private void logs(byte[] body) throws IOException {
    ExportLogsServiceRequest request = ExportLogsServiceRequest.parseFrom(body);
    for (var resourceLogs : request.getResourceLogsList()) {
      String service = service(resourceLogs.getResource());
      for (var scope : resourceLogs.getScopeLogsList()) {
        for (var log : scope.getLogRecordsList()) {
          logs.add(new ExportedLog(service, hex(log.getTraceId().toByteArray()), hex(log.getSpanId().toByteArray()),
              text(log.getBody()), attributes(log.getAttributesList()), log.getTimeUnixNano(), log.getObservedTimeUnixNano()));
        }
      }
    }
  }

  private void metrics(byte[] body) throws IOException {
    metrics.add(ExportMetricsServiceRequest.parseFrom(body));
  }

  private static String service(Resource resource) {
    return attributes(resource.getAttributesList()).getOrDefault("service.name", "");
  }

  static Map<String, String> attributes(List<KeyValue> list) {
    Map<String, String> out = new LinkedHashMap<>();
    for (KeyValue kv : list) {
      out.put(kv.getKey(), text(kv.getValue()));
    }
    return out;
  }

  static String text(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case INT_VALUE -> Long.toString(value.getIntValue());
      case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
      case ARRAY_VALUE -> {
        List<String> items = new ArrayList<>();
        value.getArrayValue().getValuesList().forEach(v -> items.add(text(v)));
        yield items.toString();
      }
      case BYTES_VALUE -> hex(value.getBytesValue().toByteArray());
      default -> value.toString();
    };
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
