package dev.loupe.agent.storage;

import dev.loupe.agent.LazyCounter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * Counts the services' S3 calls by operation and outcome as {@code loupe.s3.requests}, from the
 * agent's AWS SDK client spans: the agent records these calls as spans only, and an order whose 3D
 * model cannot be stored or read is stuck (failure point 3). A call fails when its span ends in error
 * or S3 answered 4xx/5xx.
 */
public final class ObjectStorageRequests implements SpanProcessor {

  private static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  private static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  private static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  private static final AttributeKey<Long> STATUS_CODE = AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");

  private final LazyCounter requests = new LazyCounter("loupe.s3.requests",
      "S3 calls made by the service, by operation and outcome", "{request}");

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {}

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    try {
      if (span.getKind() != SpanKind.CLIENT || !"aws-api".equals(span.getAttribute(RPC_SYSTEM))
          || !"S3".equals(span.getAttribute(RPC_SERVICE))) {
        return;
      }
      Long status = span.getAttribute(STATUS_CODE);
      boolean failed = span.toSpanData().getStatus().getStatusCode() == StatusCode.ERROR
          || (status != null && status >= 400);
      String method = span.getAttribute(RPC_METHOD);
      requests.add(1, Attributes.of(RPC_METHOD, method != null ? method : "unknown",
          OUTCOME, failed ? "error" : "success"));
    } catch (RuntimeException e) {
      // counting is best effort: never in the application's way
    }
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }
}
