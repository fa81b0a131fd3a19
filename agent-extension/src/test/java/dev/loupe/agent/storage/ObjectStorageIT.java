package dev.loupe.agent.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.agent.harness.OtlpReceiver.ExportedPoint;
import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Stack;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shop's S3 uploads are counted by outcome; revoked credentials (403) count as errors. */
class ObjectStorageIT {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void s3CallsAreCountedByOperationAndOutcome() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver();
        Stack stack = AgentStack.start("s3", receiver, true, Map.of())) {
      PipelineClient client = stack.client();
      assertThat(client.placeOrder(OrderRequest.typical()).accepted()).isTrue();
      ExportedPoint ok = Eventually.await("a successful upload counted", WAIT, () -> receiver.points().stream()
          .filter(p -> p.metric().equals("loupe.s3.requests") && p.service().equals("shop-api")
              && "success".equals(p.attributes().get("outcome"))).findFirst());
      assertThat(ok.attributes()).containsOnlyKeys("rpc.method", "outcome").containsEntry("rpc.method", "PutObject");

      stack.fault(Fault.SHOP_S3_REJECTED, true);
      try {
        assertThat(client.placeOrder(OrderRequest.typical()).status()).isEqualTo(502);
        ExportedPoint failed = Eventually.await("the refused upload counted as an error", WAIT, () -> receiver.points()
            .stream().filter(p -> p.metric().equals("loupe.s3.requests") && p.service().equals("shop-api")
                && "error".equals(p.attributes().get("outcome"))).findFirst());
        assertThat(failed.attributes()).containsEntry("rpc.method", "PutObject");
        assertThat(failed.value()).isGreaterThanOrEqualTo(1);
      } finally {
        stack.fault(Fault.SHOP_S3_REJECTED, false);
      }
    }
  }
}
