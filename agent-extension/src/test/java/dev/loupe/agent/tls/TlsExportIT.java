package dev.loupe.agent.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.harness.AgentStack;
import dev.loupe.agent.harness.OtlpReceiver;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.PrivateCa;
import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Acceptance: export to a Collector whose certificate a private CA issued, with the documented settings —
 * one-way TLS (shop-api's spans and logs) and mutual TLS (all of mes-api's telemetry) — while crm-api is
 * pointed at the same TLS port over plain {@code http://}: its telemetry is refused and its log says so,
 * and the order still goes through. shop-api's metrics trust another CA and are refused in the handshake;
 * crm-api's metrics go to plain {@code http://} on another host, which the extension warns about.
 */
class TlsExportIT {

  /** Plain HTTP to another host (the reserved {@code .invalid} name never resolves, so nothing is sent). */
  private static final String OFF_HOST_PLAINTEXT = "http://otel-collector.invalid:4318/v1/metrics";

  @Test
  void exportsOverTlsWithAPrivateCaAndThePlaintextPathFailsLoudly() throws Exception {
    Path dir = AgentStack.repository().resolve("agent-extension/target/tls-" + ProcessHandle.current().pid());
    PrivateCa ca = PrivateCa.create(dir.resolve("ca"), "Loupe Test CA");
    ca.issue("collector", "serverAuth");
    ca.issue("mes-api", "clientAuth");
    String caPem = ca.certificate().toString();
    PrivateCa otherCa = PrivateCa.create(dir.resolve("other-ca"), "Another Test CA");
    try (OtlpReceiver tls = OtlpReceiver.tls(ca.serverContext("collector"), false);
        OtlpReceiver mutual = OtlpReceiver.tls(ca.serverContext("collector"), true);
        Stack stack = AgentStack.start("tls", tls, true, Map.of(
            Service.SHOP, List.of("-Dotel.exporter.otlp.certificate=" + caPem,
                "-Dotel.exporter.otlp.metrics.certificate=" + otherCa.certificate()),
            Service.MES, List.of("-Dotel.exporter.otlp.endpoint=" + mutual.endpoint(),
                "-Dotel.exporter.otlp.certificate=" + caPem,
                "-Dotel.exporter.otlp.client.key=" + ca.privateKeyOf("mes-api"),
                "-Dotel.exporter.otlp.client.certificate=" + ca.certificateOf("mes-api")),
            Service.CRM, List.of("-Dotel.exporter.otlp.endpoint=http://127.0.0.1:" + tls.port(),
                "-Dotel.exporter.otlp.metrics.endpoint=" + OFF_HOST_PLAINTEXT)))) {
      assertThat(tls.endpoint()).startsWith("https://");
      PipelineClient client = stack.client();
      PipelineClient.Placement placed = client.placeOrder(OrderRequest.typical());
      assertThat(placed.status()).isEqualTo(201);
      String id = placed.orderId();
      Eventually.await("order " + id + " priced and reported back to the shop", Duration.ofSeconds(60),
          () -> client.shopOrder(id).filter(o -> o.path("status").asText().equals("PRICED")));

      // one-way TLS: the shop's spans, logs and metrics arrive, verified against the private CA
      Eventually.await("shop-api spans of " + id + " over TLS", Duration.ofSeconds(30),
          () -> tls.spans().stream().filter(s -> s.service().equals("shop-api") && id.equals(s.orderId())).findAny());
      Eventually.await("shop-api log records over TLS", Duration.ofSeconds(30),
          () -> tls.logs().stream().filter(l -> l.service().equals("shop-api")).findAny());
      assertThat(tls.clients()).as("no client certificate in one-way TLS").isEmpty();

      // the shop's metrics trust another CA only: refused in the handshake, and the shop's log says so
      Eventually.await("shop-api's log reporting the untrusted certificate", Duration.ofSeconds(60),
          () -> Optional.of(Files.readAllLines(stack.log(Service.SHOP)))
              .filter(lines -> lines.stream().anyMatch(l -> l.contains("ERROR") && l.contains("Failed to export metrics")))
              .filter(lines -> lines.stream().anyMatch(l -> l.contains("SSLHandshakeException: PKIX path"))));
      assertThat(tls.points()).noneMatch(p -> p.service().equals("shop-api"));

      // mutual TLS: MES presents its own certificate, which the receiver checked against the CA
      Eventually.await("mes-api spans of " + id + " over mutual TLS", Duration.ofSeconds(30),
          () -> mutual.spans().stream().filter(s -> s.service().equals("mes-api") && id.equals(s.orderId())).findAny());
      Eventually.await("mes-api metrics over mutual TLS", Duration.ofSeconds(30),
          () -> mutual.points().stream().filter(p -> p.service().equals("mes-api")).findAny());
      assertThat(mutual.clients()).isNotEmpty().allMatch("CN=mes-api"::equals);
      assertThat(mutual.spans()).allMatch(s -> s.service().equals("mes-api"));

      // plaintext to the TLS port: nothing gets through, and the service's log says so
      String tlsPort = "127.0.0.1:" + tls.port();
      Eventually.await("crm-api's log reporting the failed export to the TLS port", Duration.ofSeconds(60),
          () -> Files.readAllLines(stack.log(Service.CRM)).stream()
              .filter(l -> l.contains("ERROR") && l.contains("Failed to export spans") && l.contains(tlsPort)).findAny());
      assertThat(tls.spans()).noneMatch(s -> s.service().equals("crm-api"));
      assertThat(tls.logs()).noneMatch(l -> l.service().equals("crm-api"));
      assertThat(tls.points()).noneMatch(p -> p.service().equals("crm-api"));
      assertThat(mutual.spans()).noneMatch(s -> s.service().equals("crm-api"));
      List<String> crm = Files.readAllLines(stack.log(Service.CRM));
      crm.stream().filter(l -> l.contains("Failed to export")).limit(3).forEach(l -> System.out.println("[tls] crm-api: " + l));

      // the extension names the one endpoint that would leave the host unencrypted, and only that one
      assertThat(crm).filteredOn(l -> l.contains("exported unencrypted")).singleElement().asString()
          .contains("WARN", OFF_HOST_PLAINTEXT, "otel.exporter.otlp.metrics.endpoint");
      for (Service s : List.of(Service.SHOP, Service.MES)) {
        assertThat(Files.readAllLines(stack.log(s))).noneMatch(l -> l.contains("exported unencrypted"));
      }
    }
  }
}
