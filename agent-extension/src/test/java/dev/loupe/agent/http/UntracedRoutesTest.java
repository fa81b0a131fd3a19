package dev.loupe.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UntracedRoutesTest {

  private static SamplingDecision decide(Sampler s, SpanKind kind, String path) {
    return s.shouldSample(Context.root(), "0af7651916cd43dd8448eb211c80319c", "GET", kind,
        Attributes.of(AttributeKey.stringKey("url.path"), path), List.of()).getDecision();
  }

  @Test
  void healthChecksAndScrapesAreDroppedEverythingElseGoesToTheConfiguredSampler() {
    List<String> problems = new ArrayList<>();
    Sampler s = UntracedRoutes.parse(Sampler.alwaysOn(), UntracedRoutes.DEFAULT, problems);
    assertThat(problems).isEmpty();
    assertThat(decide(s, SpanKind.SERVER, "/health")).isEqualTo(SamplingDecision.DROP);
    assertThat(decide(s, SpanKind.SERVER, "/actuator/health/liveness")).isEqualTo(SamplingDecision.DROP);
    assertThat(decide(s, SpanKind.SERVER, "/metrics")).isEqualTo(SamplingDecision.DROP);
    assertThat(decide(s, SpanKind.SERVER, "/api/orders")).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
    assertThat(decide(s, SpanKind.SERVER, "/healthy-rings")).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
    // a client call to another service's health check is the caller's business
    assertThat(decide(s, SpanKind.CLIENT, "/health")).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
    assertThat(decide(Sampler.alwaysOff(), SpanKind.SERVER, "/api/orders")).isEqualTo(SamplingDecision.DROP);
  }

  @Test
  void noneTracesEverythingAndBadEntriesAreReported() {
    List<String> problems = new ArrayList<>();
    assertThat(UntracedRoutes.parse(Sampler.alwaysOn(), "none", problems)).isSameAs(Sampler.alwaysOn());
    Sampler s = UntracedRoutes.parse(Sampler.alwaysOn(), "health,/a*b,/ok,/x?y=1", problems);
    assertThat(problems).hasSize(3).allMatch(p -> p.startsWith(UntracedRoutes.SETTING + ": "));
    assertThat(decide(s, SpanKind.SERVER, "/ok")).isEqualTo(SamplingDecision.DROP);
  }
}
