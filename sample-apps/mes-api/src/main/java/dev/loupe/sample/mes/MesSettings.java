package dev.loupe.sample.mes;

import dev.loupe.sample.storage.ModelStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * MES settings, read once at startup from system properties ({@code -Dmes.db.url=...}) or the
 * environment ({@code MES_DB_URL}), system properties first.
 */
record MesSettings(
    String httpHost, int httpPort,
    String dbUrl, String dbUser, String dbPassword, int dbPoolSize,
    String rabbitHost, int rabbitPort, String rabbitUser, String rabbitPassword,
    ModelStore.Settings models,
    Duration calculationDuration, int calculationWorkers, int historyOrders, Optional<Path> webDir) {

  static MesSettings load(Properties system, Map<String, String> env) {
    Reader r = new Reader(system, env);
    return new MesSettings(
        r.text("mes.http.host", "0.0.0.0"),
        r.integer("mes.http.port", 8083),
        r.text("mes.db.url", "jdbc:postgresql://127.0.0.1:5432/mes"),
        r.text("mes.db.user", "postgres"),
        r.text("mes.db.password", ""),
        r.integer("mes.db.pool-size", 5),
        r.text("mes.rabbit.host", "127.0.0.1"),
        r.integer("mes.rabbit.port", 5672),
        r.text("mes.rabbit.user", "guest"),
        r.text("mes.rabbit.password", "guest"),
        new ModelStore.Settings(
            r.text("mes.models.endpoint", "http://127.0.0.1:9000"),
            r.text("mes.models.region", "us-east-1"),
            r.text("mes.models.bucket", "models"),
            r.text("mes.models.access-key", ""),
            r.text("mes.models.secret-key", "")),
        r.duration("mes.calculation.duration", Duration.ofMinutes(5)),
        r.integer("mes.calculation.workers", 2),
        r.integer("mes.history-orders", 200_000),
        // a folder served beside the orders page, as a web server's document root would be: where an
        // operator deploys what the page includes (frontend-telemetry/README.md)
        Optional.ofNullable(r.text("mes.web.dir", null)).filter(dir -> !dir.isBlank()).map(Path::of));
  }

  private record Reader(Properties system, Map<String, String> env) {

    String text(String key, String fallback) {
      String value = system.getProperty(key);
      if (value == null) {
        value = env.get(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
      }
      return value == null ? fallback : value;
    }

    int integer(String key, int fallback) {
      String value = text(key, null);
      if (value == null) {
        return fallback;
      }
      try {
        int parsed = Integer.parseInt(value.trim());
        if (parsed < 0) {
          throw new NumberFormatException();
        }
        return parsed;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + " must be a whole number of at least 0, not '" + value + "'");
      }
    }

    Duration duration(String key, Duration fallback) {
      String value = text(key, null);
      if (value == null) {
        return fallback;
      }
      try {
        return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(key + " must be an ISO-8601 duration such as PT5M or PT2S, not '"
            + value + "'");
      }
    }
  }
}
