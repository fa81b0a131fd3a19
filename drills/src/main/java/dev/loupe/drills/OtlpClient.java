package dev.loupe.drills;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Sends telemetry a drill can count one item at a time to a Collector over OTLP/HTTP (protobuf), as an
 * agent would: spans and log records named {@code <mark>-0001}, {@code <mark>-0002}, ..., and gauge
 * points. Optionally over TLS and with a bearer token, as the production override demands. Each answer
 * is returned as it came, so a drill can assert a refusal as well as an acceptance.
 */
public final class OtlpClient {

  private static final SecureRandom IDS = new SecureRandom();

  private final URI base;
  private final HttpClient http;
  private final Optional<String> token;

  private OtlpClient(URI base, HttpClient http, Optional<String> token) {
    this.base = base;
    this.http = http;
    this.token = token;
  }

  /** A client of the OTLP/HTTP endpoint {@code base} ({@code http://host:port} or {@code https://...}). */
  public static OtlpClient to(URI base) {
    return new OtlpClient(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
        Optional.empty());
  }

  /** The same client, verifying the server with {@code tls} (a context that trusts a private CA). */
  public OtlpClient trusting(SSLContext tls) {
    return new OtlpClient(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(tls).build(),
        token);
  }

  /** The same client, sending {@code Authorization: Bearer <token>} with every export. */
  public OtlpClient withToken(String bearer) {
    return new OtlpClient(base, http, Optional.of(bearer));
  }

  /**
   * {@code count} spans of {@code service}, each the only span of its own trace, named {@code mark-0001}
   * and on, numbered from {@code first}; each has an error status, so tail sampling keeps every one.
   */
  public HttpResponse<String> spans(String service, String mark, int first, int count)
      throws IOException, InterruptedException {
    long now = System.currentTimeMillis() * 1_000_000;
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = first; i < first + count; i++) {
      scope.addSpans(Span.newBuilder()
          .setTraceId(ByteString.copyFrom(randomBytes(16)))
          .setSpanId(ByteString.copyFrom(randomBytes(8)))
          .setName(name(mark, i))
          .setKind(Span.SpanKind.SPAN_KIND_SERVER)
          .setStartTimeUnixNano(now - 5_000_000)
          .setEndTimeUnixNano(now)
          .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)));
    }
    return export("/v1/traces", ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(resource(service)).addScopeSpans(scope)).build());
  }

  /** {@code count} log records of {@code service}, their bodies {@code mark-0001} and on, numbered from {@code first}. */
  public HttpResponse<String> logs(String service, String mark, int first, int count)
      throws IOException, InterruptedException {
    long now = System.currentTimeMillis() * 1_000_000;
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (int i = first; i < first + count; i++) {
      scope.addLogRecords(LogRecord.newBuilder()
          .setTimeUnixNano(now)
          .setObservedTimeUnixNano(now)
          .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_INFO)
          .setSeverityText("INFO")
          .setBody(AnyValue.newBuilder().setStringValue(name(mark, i))));
    }
    return export("/v1/logs", ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .setResource(resource(service)).addScopeLogs(scope)).build());
  }

  /** One point of the gauge {@code metric}, now, with {@code attributes}. */
  public HttpResponse<String> gauge(String service, String metric, Map<String, String> attributes, double value)
      throws IOException, InterruptedException {
    NumberDataPoint.Builder point = NumberDataPoint.newBuilder()
        .setTimeUnixNano(System.currentTimeMillis() * 1_000_000)
        .setAsDouble(value);
    attributes.forEach((k, v) -> point.addAttributes(attribute(k, v)));
    return export("/v1/metrics", ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics
        .newBuilder().setResource(resource(service)).addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(
            Metric.newBuilder().setName(metric).setGauge(Gauge.newBuilder().addDataPoints(point))))).build());
  }

  /** POSTs {@code request} to {@code path} under the endpoint; the answer as it came. */
  public HttpResponse<String> export(String path, MessageLite request) throws IOException, InterruptedException {
    HttpRequest.Builder post = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray()));
    token.ifPresent(t -> post.header("Authorization", "Bearer " + t));
    return http.send(post.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The name of item {@code i} of {@code mark}: what a span's name or a log record's body is. */
  public static String name(String mark, int i) {
    return String.format("%s-%04d", mark, i);
  }

  private static Resource resource(String service) {
    return Resource.newBuilder().addAttributes(attribute("service.name", service))
        .addAttributes(attribute("service.namespace", "jewelry"))
        .addAttributes(attribute("deployment.environment.name", "drill")).build();
  }

  private static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    IDS.nextBytes(b);
    return b;
  }
}
