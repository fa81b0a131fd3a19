package dev.loupe.drills;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Debian's Alertmanager with the repository's configuration and templates, copied unchanged, on a free
 * loopback port, clustering off. The configuration reads its receivers' secrets from files under
 * {@code secrets/}; the drills write them there, pointing the receivers at a {@link Webhook}.
 */
public final class Alertmanager extends Daemon {

  /** The dead man's switch of the shipped configuration, the heartbeat service Watchdog pings. */
  static final String DEADMANS_SWITCH = "https://heartbeat.jewelry.internal/ping/loupe-alertmanager";

  private Alertmanager(Daemon started) {
    super(started);
  }

  /**
   * Starts Alertmanager in {@code dir} with {@code alert-rules/alertmanager} of the repository and the
   * given secret files (file name to content).
   *
   * @throws IllegalStateException if the binary is missing or the configuration is refused (with its log)
   */
  public static Alertmanager start(Path dir, Map<String, String> secrets) throws IOException, InterruptedException {
    return start(dir, secrets, null);
  }

  /**
   * As {@link #start(Path, Map)}, with the dead man's switch (the {@code deadmans-switch} receiver's
   * webhook, the one address the configuration holds rather than reads from a secret file) sent to
   * {@code deadmansSwitch} instead; nothing else of the configuration changes. {@code null} leaves it.
   *
   * @throws IllegalStateException if the configuration no longer holds the dead man's switch's address
   */
  public static Alertmanager start(Path dir, Map<String, String> secrets, URI deadmansSwitch)
      throws IOException, InterruptedException {
    Path source = Tools.repository().resolve("alert-rules/alertmanager");
    Files.createDirectories(dir.resolve("templates"));
    Files.createDirectories(dir.resolve("secrets"));
    String config = Files.readString(source.resolve("alertmanager.yml"));
    if (deadmansSwitch != null) {
      if (!config.contains(DEADMANS_SWITCH)) {
        throw new IllegalStateException("alertmanager.yml no longer sends the dead man's switch to " + DEADMANS_SWITCH);
      }
      config = config.replace(DEADMANS_SWITCH, deadmansSwitch.toString());
    }
    Files.writeString(dir.resolve("alertmanager.yml"), config);
    try (var templates = Files.list(source.resolve("templates"))) {
      for (Path t : templates.toList()) {
        Files.copy(t, dir.resolve("templates").resolve(t.getFileName()));
      }
    }
    for (var secret : secrets.entrySet()) {
      Files.writeString(dir.resolve("secrets").resolve(secret.getKey()), secret.getValue());
    }
    int port = Tools.freePort();
    URI url = URI.create("http://127.0.0.1:" + port);
    return new Alertmanager(Daemon.start("Alertmanager", dir, List.of("prometheus-alertmanager",
        "--config.file=alertmanager.yml",
        "--storage.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--cluster.listen-address=",
        "--log.level=info"), Map.of(), url, url.resolve("/-/ready"), Duration.ofSeconds(60)));
  }

  /**
   * The secrets that send every receiver of the shipped configuration to {@code webhook}: on-call to
   * {@code /oncall}, the team channel to {@code /team}; PagerDuty and the dead man's switch get dummy
   * credentials (their endpoints are not reachable from the drills).
   */
  public static Map<String, String> secretsFor(Webhook webhook) {
    return Map.of(
        "pagerduty-routing-key", "drill-routing-key",
        "oncall-slack-webhook-url", webhook.url("/oncall").toString(),
        "team-slack-webhook-url", webhook.url("/team").toString(),
        "deadmans-switch-token", "drill-token");
  }
}
