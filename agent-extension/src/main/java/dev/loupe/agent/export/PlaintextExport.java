package dev.loupe.agent.export;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Finds OTLP endpoints that telemetry would leave the host on unencrypted: an {@code http://} endpoint
 * whose host is not the loopback interface. Redaction keeps personal data out, but the architects also
 * require encryption in transit, so each such endpoint is named in one warning at start-up. Host names
 * are judged as written — nothing is resolved, so start-up never waits on DNS.
 */
public final class PlaintextExport {

  /** The endpoint settings, general first, then each signal's own (which wins for its signal). */
  static final List<String> SETTINGS = Arrays.asList("otel.exporter.otlp.endpoint", "otel.exporter.otlp.traces.endpoint",
      "otel.exporter.otlp.logs.endpoint", "otel.exporter.otlp.metrics.endpoint");

  private PlaintextExport() {}

  /** One line per setting whose endpoint is plaintext and leaves the host; empty if there is none. */
  public static List<String> warnings(ConfigProperties config) {
    List<String> out = new ArrayList<>();
    for (String key : SETTINGS) {
      String value = config.getString(key);
      if (value != null && leavesHostUnencrypted(value)) {
        out.add("Loupe: telemetry is exported unencrypted to " + value + " (" + key + "); use an https:// endpoint"
            + " and otel.exporter.otlp.certificate to encrypt it in transit");
      }
    }
    return out;
  }

  /** True for an {@code http://} URL whose host is not a loopback name or address. */
  static boolean leavesHostUnencrypted(String endpoint) {
    URI uri;
    try {
      uri = URI.create(endpoint.trim());
    } catch (IllegalArgumentException e) {
      return false; // the exporter reports a malformed endpoint itself
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      return false;
    }
    return !loopback(uri.getHost().toLowerCase(Locale.ROOT));
  }

  private static boolean loopback(String host) {
    if (host.equals("localhost") || host.endsWith(".localhost")) {
      return true;
    }
    if (host.equals("[::1]") || host.equals("::1")) {
      return true;
    }
    String[] octets = host.split("\\.", -1);
    if (octets.length != 4 || !octets[0].equals("127")) {
      return false;
    }
    for (String o : octets) {
      if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(Character::isDigit) || Integer.parseInt(o) > 255) {
        return false;
      }
    }
    return true;
  }
}
