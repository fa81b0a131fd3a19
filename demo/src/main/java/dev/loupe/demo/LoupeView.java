package dev.loupe.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.drills.Monitoring;
import dev.loupe.drills.OtlpSink;
import dev.loupe.drills.Page;
import dev.loupe.sample.loadgen.LoadGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What Loupe saw of a demo run, beside the truth the load generator knows: the orders it named as lost
 * (from the loss spans that reached the stand-in for Tempo: order id, reason, where, destination, trace),
 * its loss counters in Prometheus, the pages on-call received and how long after the first loss, and
 * where to look next for one lost order.
 */
final class LoupeView {

  /** One order Loupe named as lost: from the span its loss sentinel marked. */
  record Named(String orderId, String reason, String stage, String destination, String traceId, long epochNanos) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private LoupeView() {}

  /** Every order named on a loss span that reached Tempo's stand-in, the first span per order. */
  static Map<String, Named> named(OtlpSink tempo) {
    Map<String, Named> named = new TreeMap<>();
    List<OtlpSink.Span> spans = new ArrayList<>(tempo.spans());
    spans.sort(Comparator.comparingLong(OtlpSink.Span::startEpochNanos));
    for (OtlpSink.Span s : spans) {
      String order = s.attributes().get("order.id");
      String reason = s.attributes().get("loupe.loss.reason");
      if (order != null && reason != null) {
        named.putIfAbsent(order, new Named(order, reason, s.service() + ": " + s.name(),
            s.attributes().getOrDefault("loupe.loss.destination",
                s.attributes().getOrDefault("messaging.destination.name", "—")), s.traceId(), s.startEpochNanos()));
      }
    }
    return named;
  }

  /**
   * Prints the comparison.
   *
   * @param startEpochNanos and {@code startNanos}: one moment on the wall clock and on {@link System#nanoTime()},
   *     to place the pages' arrival beside the losses' timestamps
   */
  static void print(PrintStream out, LoadGenerator.Summary truth, Monitoring monitoring, Path logs,
      long startEpochNanos, long startNanos) {
    out.println();
    out.println("What happened (the load generator's truth): " + truth.placed() + " orders placed, "
        + truth.completed() + " completed, " + truth.failed() + " refused at once (the customer knew), "
        + truth.inFlight() + " lost or stranded " + (truth.inFlightByStatus().isEmpty() ? "" : truth.inFlightByStatus()));

    Map<String, Named> named = monitoring.tempo().map(LoupeView::named).orElse(Map.of());
    if (monitoring.tempo().isEmpty()) {
      out.println("What Loupe named: no traces without the Collector (demo/run without --no-collector names each"
          + " lost order); its counters follow.");
    } else {
      Set<String> stranded = truth.inFlightOrders().keySet();
      long namedAndStranded = named.keySet().stream().filter(stranded::contains).count();
      out.println("What Loupe named as lost: " + named.size() + " order(s), " + namedAndStranded + " of the "
          + stranded.size() + " lost or stranded" + (named.size() > namedAndStranded
              ? "; " + (named.size() - namedAndStranded) + " named but not stranded" : ""));
      Map<String, List<Named>> byKind = named.values().stream().collect(Collectors.groupingBy(
          n -> n.reason() + " | " + n.stage() + " | " + n.destination(), TreeMap::new, Collectors.toList()));
      if (!byKind.isEmpty()) {
        out.printf("  %-5s %-20s %-45s %-22s %s%n", "count", "reason", "where (service: span)", "destination",
            "orders");
      }
      byKind.forEach((kind, orders) -> {
        String[] k = kind.split(" \\| ");
        String ids = orders.stream().map(Named::orderId).limit(4).collect(Collectors.joining(", "))
            + (orders.size() > 4 ? ", ..." : "");
        out.printf("  %-5d %-20s %-45s %-22s %s%n", orders.size(), k[0], k[1], k[2], ids);
      });
      Set<String> missed = new TreeSet<>(stranded);
      missed.removeAll(named.keySet());
      if (!missed.isEmpty()) {
        Map<String, Long> byStatus = missed.stream().collect(Collectors.groupingBy(truth.inFlightOrders()::get,
            TreeMap::new, Collectors.counting()));
        out.println("  stranded but not named lost: " + missed.size() + " " + byStatus
            + " — waiting, not lost, or lost where no sentinel watches (a stopped broker: see the pages)");
      }
    }
    counters(out, monitoring);
    pages(out, monitoring, named, startEpochNanos, startNanos);
    next(out, named, logs);
  }

  private static void counters(PrintStream out, Monitoring monitoring) {
    try {
      List<String> lines = new ArrayList<>();
      for (JsonNode s : monitoring.prometheus().query("sum by (service, reason, messaging_destination_name)"
          + " (loupe_messages_lost_total)")) {
        lines.add(String.format("loupe_messages_lost_total{service=%s, reason=%s, destination=%s} %s",
            s.path("metric").path("service").asText(), s.path("metric").path("reason").asText(),
            s.path("metric").path("messaging_destination_name").asText(), s.path("value").get(1).asText()));
      }
      for (JsonNode s : monitoring.prometheus().query("sum by (service, http_route, exception_type)"
          + " (loupe_exceptions_swallowed_total)")) {
        lines.add(String.format("loupe_exceptions_swallowed_total{service=%s, http_route=%s, exception_type=%s} %s",
            s.path("metric").path("service").asText(), s.path("metric").path("http_route").asText(),
            s.path("metric").path("exception_type").asText(), s.path("value").get(1).asText()));
      }
      out.println("Loupe's loss counters in Prometheus" + (lines.isEmpty() ? ": none counted" : ":"));
      lines.forEach(l -> out.println("  " + l));
    } catch (IOException e) {
      out.println("Loupe's loss counters: Prometheus did not answer (" + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void pages(PrintStream out, Monitoring monitoring, Map<String, Named> named, long startEpochNanos,
      long startNanos) {
    List<Page> pages = Page.all(monitoring.webhook(), "/oncall").stream().filter(Page::firing).toList();
    List<Page> tickets = Page.all(monitoring.webhook(), "/team").stream()
        .filter(p -> p.firing() && p.severity().equals("ticket")).toList();
    long firstLoss = named.values().stream().mapToLong(Named::epochNanos).min().orElse(0);
    out.println("Pages on-call received" + (pages.isEmpty() ? ": none" : ":"));
    for (Page p : pages) {
      long epoch = startEpochNanos + (p.receivedNanos() - startNanos);
      String after = firstLoss > 0 ? String.format("%.0f s after the first loss", (epoch - firstLoss) / 1e9) : "";
      out.printf("  %s (failure point %s) %s%n    %s%n    runbook %s%n", p.group(), p.failurePoint(), after,
          p.description(), p.runbook());
    }
    for (Page p : tickets) {
      out.printf("Ticket for the team channel: %s (failure point %s)%n", p.group(), p.failurePoint());
    }
  }

  private static void next(PrintStream out, Map<String, Named> named, Path logs) {
    if (named.isEmpty()) {
      return;
    }
    Named one = named.values().iterator().next();
    out.println("Where to look next, for example order " + one.orderId() + " (" + one.reason() + " at "
        + one.stage() + "):");
    out.println("  its trace: trace id " + one.traceId() + " — in Grafana, Explore → Tempo, TraceQL"
        + " { span.order.id = \"" + one.orderId() + "\" }");
    out.println("  its log lines: grep -h '\"order_id\":\"" + one.orderId() + "\"' " + logs + "/*.log");
    try (Stream<Path> files = Files.list(logs)) {
      List<String> lines = new ArrayList<>();
      for (Path f : files.sorted().toList()) {
        String service = f.getFileName().toString().replace(".log", "");
        for (String line : Files.readAllLines(f)) {
          if (line.contains("\"order_id\":\"" + one.orderId() + "\"")) {
            lines.add(logLine(service, line));
          }
        }
      }
      lines.stream().sorted().limit(8).forEach(l -> out.println("    " + l));
    } catch (IOException e) {
      out.println("    (could not read the logs: " + e.getMessage() + ")");
    }
    out.println("  in Loki: {service_name=~\".+\"} | order_id=\"" + one.orderId() + "\"");
  }

  /** One JSON log line as a person reads it: time, service, level, message, trace id. */
  static String logLine(String service, String json) {
    try {
      JsonNode l = JSON.readTree(json);
      String time = l.path("@timestamp").asText();
      return String.format("%s %-8s %-5s %s  trace_id=%s", time.length() >= 23 ? time.substring(11, 23) : time,
          service, l.path("level").asText(), l.path("message").asText(), l.path("trace_id").asText("-"));
    } catch (IOException e) {
      return service + " " + json;
    }
  }
}
