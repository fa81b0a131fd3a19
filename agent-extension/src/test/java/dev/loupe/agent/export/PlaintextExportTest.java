package dev.loupe.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlaintextExportTest {

  @ParameterizedTest
  @ValueSource(strings = {"http://otel-collector.jewelry.internal:4318", "http://10.0.4.7:4318", "HTTP://Collector:4317",
      "http://[2001:db8::1]:4318", "http://127.0.0.1.example.com:4318", "http://128.0.0.1:4318"})
  void plaintextToAnotherHostIsFlagged(String endpoint) {
    assertThat(PlaintextExport.leavesHostUnencrypted(endpoint)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://otel-collector.jewelry.internal:4318", "http://localhost:4318", "http://127.0.0.1:4318",
      "http://127.3.2.1:4318", "http://[::1]:4318", "http://collector.localhost:4318", "not a url", "collector:4317"})
  void encryptedOrLoopbackOrUnparseableIsNot(String endpoint) {
    assertThat(PlaintextExport.leavesHostUnencrypted(endpoint)).isFalse();
  }

  @Test
  void namesEachPlaintextSettingOnce() {
    var config = DefaultConfigProperties.createFromMap(Map.of(
        "otel.exporter.otlp.endpoint", "https://otel-collector.jewelry.internal:4318",
        "otel.exporter.otlp.logs.endpoint", "http://loki-gateway:3100/otlp/v1/logs"));
    assertThat(PlaintextExport.warnings(config)).singleElement().asString()
        .contains("http://loki-gateway:3100/otlp/v1/logs", "otel.exporter.otlp.logs.endpoint", "https://");
  }

  @Test
  void theDefaultEndpointIsLocalAndSaysNothing() {
    assertThat(PlaintextExport.warnings(DefaultConfigProperties.createFromMap(Map.of()))).isEmpty();
  }
}
