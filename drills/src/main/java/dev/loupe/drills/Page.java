package dev.loupe.drills;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One alert as a person received it: read back from the Slack message Alertmanager posted to the pager
 * ({@code /oncall}) or the team channel ({@code /team}), rendered by {@code alert-rules/alertmanager/templates}.
 * A message holds one block per alert of its group; each becomes a Page.
 *
 * @param channel the webhook path it arrived at
 * @param firing {@code true} for {@code [FIRING:n]}, {@code false} for {@code [RESOLVED]}
 * @param alertname the group's alert name (the route groups by alert name, so it is common)
 * @param failurePoint the {@code failure_point} label, {@code 1}–{@code 9} or {@code none}
 * @param description the alert's description annotation, as rendered
 * @param receivedNanos when it arrived ({@link System#nanoTime()})
 */
public record Page(String channel, boolean firing, String alertname, String service, String severity,
    String failurePoint, String runbook, String description, long receivedNanos) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern TITLE = Pattern.compile("^\\[(FIRING|RESOLVED)(?::\\d+)?] (\\S+)");
  /** The template's lines for one alert: summary, description, labels, orders affected, runbook, dashboard. */
  private static final Pattern ALERT = Pattern.compile("\\*[^\\n]*\\*\\n(.*?)\\nservice: (\\S*) \\| severity: (\\S*)"
      + " \\| failure point: (\\S*)\\n(?:orders affected: [^\\n]*\\n)?runbook: (\\S*)", Pattern.DOTALL);

  /**
   * Every alert of a Slack message; empty for a message in another shape (the dead man's switch's
   * webhook payload, say).
   *
   * @throws UncheckedIOException if the body is not JSON
   */
  public static List<Page> of(Webhook.Notification n) {
    JsonNode body;
    try {
      body = JSON.readTree(n.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + n.body(), e);
    }
    List<Page> pages = new ArrayList<>();
    for (JsonNode attachment : body.path("attachments")) {
      Matcher title = TITLE.matcher(attachment.path("title").asText());
      if (!title.find()) {
        continue;
      }
      Matcher alert = ALERT.matcher(attachment.path("text").asText());
      while (alert.find()) {
        pages.add(new Page(n.path(), title.group(1).equals("FIRING"), title.group(2), alert.group(2), alert.group(3),
            alert.group(4), alert.group(5), alert.group(1).replace('\n', ' '), n.receivedNanos()));
      }
    }
    return pages;
  }

  /** Every alert that arrived at {@code channel} of {@code webhook} so far, oldest first. */
  public static List<Page> all(Webhook webhook, String channel) {
    List<Page> pages = new ArrayList<>();
    for (Webhook.Notification n : webhook.received(channel)) {
      pages.addAll(of(n));
    }
    return pages;
  }

  /** {@code alertname on service}, as a title names the group. */
  public String group() {
    return alertname + " on " + service;
  }
}
