package dev.loupe.reconciler;

import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The command: {@code reconciler/run --since 30d} lists once and exits; {@code --every 5m} lists again
 * every five minutes until stopped, serving {@code /metrics} if {@code metrics.port} is set.
 *
 * <p>Exit status: 0 after a complete list; 1 when a run failed (a database unreachable, a user refused,
 * a query failing or returning the wrong columns; the message names the setting) and no list was written
 * as complete; 2 for a wrong option or setting.
 */
public final class Main {

  static final String USAGE = """
      usage: reconciler/run [--config FILE] [--since 30d] [--output DIR] [--once | --every 5m] [--set KEY=VALUE]...

        --config FILE     a properties file of settings (see reconciler/README.md)
        --since DURATION  the window: orders placed this long before the run (default 30d)
        --output DIR      where lost-orders.csv, lost-orders.md and loupe-reconciler.prom go
        --once            list once and exit (the default; for a CronJob or a systemd timer)
        --every DURATION  list again every so often until stopped (with metrics.port: /metrics)
        --set KEY=VALUE   any setting, e.g. --set deadline.crm-confirmed=2h
      Settings also come from the environment: LOUPE_RECONCILER_SHOP_DB_PASSWORD and so on.
      Exit status: 0 list complete, 1 a run failed (the message names the setting), 2 wrong option or setting.
      """;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /**
   * Runs the command.
   *
   * @param environment where {@code LOUPE_RECONCILER_*} settings are read from
   * @return the exit status: 0, 1 or 2 (see the class comment); in periodic mode it returns only when the
   *     settings or the metrics endpoint are wrong
   */
  public static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
    Settings settings;
    try {
      settings = Settings.parse(values(args, environment));
    } catch (SettingException | IllegalArgumentException e) {
      err.println("loupe-reconciler: " + e.getMessage());
      return 2;
    } catch (Help h) {
      out.print(USAGE);
      return 0;
    }
    ReconcilerMetrics metrics = new ReconcilerMetrics();
    if (settings.every() == null) {
      return once(settings, metrics, out, err) ? 0 : 1;
    }
    return periodic(settings, metrics, out, err);
  }

  private static final class Help extends RuntimeException {
    Help() {
      super(null, null, false, false);
    }
  }

  /** The settings from the file, then the environment, then the command line. */
  static Map<String, String> values(String[] args, Map<String, String> environment) throws SettingException {
    Map<String, String> fromArgs = new LinkedHashMap<>();
    Path config = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--help", "-h" -> throw new Help();
        case "--once" -> fromArgs.put(Setting.EVERY.key(), "");
        case "--config" -> config = Path.of(value(args, ++i, a));
        case "--since" -> fromArgs.put(Setting.SINCE.key(), value(args, ++i, a));
        case "--every" -> fromArgs.put(Setting.EVERY.key(), value(args, ++i, a));
        case "--output" -> fromArgs.put(Setting.OUTPUT.key(), value(args, ++i, a));
        case "--set" -> {
          String kv = value(args, ++i, a);
          int eq = kv.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("--set needs KEY=VALUE, not '" + kv + "'");
          }
          fromArgs.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
      }
    }
    Map<String, String> values = new LinkedHashMap<>();
    if (config != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the settings file " + config + ": " + e.getMessage());
      }
      values.putAll(Settings.fromProperties(p));
    }
    values.putAll(Settings.fromEnvironment(environment));
    values.putAll(fromArgs);
    return values;
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  /** One run; true when the list is complete and in place. */
  static boolean once(Settings settings, ReconcilerMetrics metrics, PrintStream out, PrintStream err) {
    try {
      Reconciliation.Result result = reconcile(settings, metrics);
      out.println(describe(result, settings));
      return true;
    } catch (SettingException e) {
      metrics.failed();
      err.println("loupe-reconciler: " + e.getMessage());
      err.println("loupe-reconciler: no list written; the previous complete one, if any, is left as it was");
      return false;
    } catch (IOException e) {
      metrics.failed();
      err.println("loupe-reconciler: cannot write the list in " + settings.output() + " (setting "
          + Setting.OUTPUT.key() + "): " + e);
      return false;
    } catch (RuntimeException e) {
      // a driver or JVM surprise: in the periodic mode the next run is still tried at its time
      metrics.failed();
      err.println("loupe-reconciler: the run failed unexpectedly, no list written: " + e);
      e.printStackTrace(err);
      return false;
    }
  }

  /**
   * Reads both databases and, if the run completes, moves the list, the summary and the metrics file into
   * place and records the run in {@code metrics}.
   */
  static Reconciliation.Result reconcile(Settings settings, ReconcilerMetrics metrics)
      throws SettingException, IOException {
    try (LostOrderList list = new LostOrderList(settings)) {
      Reconciliation.Result result = Reconciliation.run(settings, Instant.now(), list);
      Runnable previous = metrics.completed(result);
      try {
        list.complete(result, metrics);
      } catch (IOException e) {
        previous.run();
        throw e;
      }
      metrics.counted();
      return result;
    }
  }

  private static int periodic(Settings settings, ReconcilerMetrics metrics, PrintStream out, PrintStream err) {
    HTTPServer server = null;
    if (settings.metricsPort() != 0) {
      try {
        server = new HTTPServer.Builder().withHostname(settings.metricsHost()).withPort(settings.metricsPort())
            .withRegistry(metrics.registry).withDaemonThreads(true).build();
        out.println("loupe-reconciler: metrics on http://" + settings.metricsHost() + ":" + server.getPort()
            + "/metrics");
      } catch (IOException e) {
        err.println("loupe-reconciler: setting " + Setting.METRICS_PORT.key() + ": cannot listen on "
            + settings.metricsHost() + ":" + settings.metricsPort() + ": " + e.getMessage());
        return 2;
      }
    }
    try {
      long period = settings.every().toNanos();
      while (!Thread.currentThread().isInterrupted()) {
        long started = System.nanoTime();
        once(settings, metrics, out, err);
        long wait = period - (System.nanoTime() - started);
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  static String describe(Reconciliation.Result r, Settings settings) {
    String byStage = r.unaccounted().entrySet().stream().map(e -> e.getKey().label() + " " + e.getValue())
        .collect(Collectors.joining(", "));
    return String.format("loupe-reconciler: %d orders placed since %s checked in %.1f s; %d not where they should be"
        + " (%s); %s, %s and %s in %s", r.checked(), r.windowStart().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
        r.took().toMillis() / 1000.0, r.total(), byStage, LostOrderList.CSV, LostOrderList.SUMMARY,
        LostOrderList.METRICS, settings.output().toAbsolutePath());
  }
}
