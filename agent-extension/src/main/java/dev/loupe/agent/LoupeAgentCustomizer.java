package dev.loupe.agent;

import dev.loupe.agent.db.DbDiagnosisSettings;
import dev.loupe.agent.db.StatementDiagnosis;
import dev.loupe.agent.export.PlaintextExport;
import dev.loupe.agent.http.RouteTemplates;
import dev.loupe.agent.redact.Exporting;
import dev.loupe.agent.redact.RedactionSettings;
import dev.loupe.agent.http.ServerRoutes;
import dev.loupe.agent.http.UntracedRoutes;
import dev.loupe.agent.storage.ObjectStorageRequests;
import dev.loupe.agent.loss.LossSentinels;
import dev.loupe.agent.order.OrderCorrelation;
import dev.loupe.agent.order.OrderIdSettings;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizer;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizerProvider;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Wires every Loupe capability into the agent's SDK: reading this class tells the whole story.
 *
 * <ul>
 *   <li>order correlation: {@code order.id} on spans and log records, carried in baggage across
 *       services, threads and the broker ({@code loupe.order-id.*})
 *   <li>loss sentinels: where an order vanished ({@code loupe.loss.reason}, a WARN log record, the
 *       loss metrics)
 *   <li>database diagnosis: repeated (N+1) and slow statements marked on the request's span and
 *       counted by route ({@code loupe.db.*})
 *   <li>redaction of personal data and secrets in everything exported ({@code loupe.redaction.*});
 *       a bad redaction setting stops all export
 *   <li>health checks and metric scrapes left untraced ({@code loupe.http.untraced-routes})
 *   <li>route templates for HTTP servers that report none ({@code loupe.http.route-templates}, applied
 *       by {@link ServerRoutes})
 *   <li>a warning for each OTLP endpoint telemetry would leave the host on unencrypted
 * </ul>
 */
public final class LoupeAgentCustomizer implements AutoConfigurationCustomizerProvider {

  private static final Logger log = Logger.getLogger("dev.loupe.agent");
  static final String VERSION = version();

  private volatile OrderCorrelation orders;
  private volatile DbDiagnosisSettings db;
  private final LossSentinels losses = new LossSentinels();
  private volatile Exporting exporting;

  @Override
  public void customize(AutoConfigurationCustomizer autoConfiguration) {
    autoConfiguration
        .addPropertiesCustomizer(config -> {
          start(config);
          return Collections.emptyMap();
        })
        .addPropagatorCustomizer((configured, config) -> enabled(config) ? Contained.propagator("order correlation (propagator)", orders.propagator(configured), configured) : configured)
        .addTracerProviderCustomizer((builder, config) -> enabled(config) ? builder.addSpanProcessor(Contained.spans("order correlation (spans)", orders.spanProcessor())) : builder)
        .addTracerProviderCustomizer((builder, config) -> {
          start(config);
          return db.enabled() ? builder.addSpanProcessor(Contained.spans("database diagnosis", new StatementDiagnosis(db))) : builder;
        })
        .addLoggerProviderCustomizer((builder, config) -> enabled(config) ? builder.addLogRecordProcessor(Contained.logs("order correlation (logs)", orders.logProcessor())) : builder)
        // the reporter runs after order correlation has put the order id on the span
        .addTracerProviderCustomizer((builder, config) -> {
          start(config);
          return builder.addSpanProcessor(Contained.spans("loss sentinels (spans)", losses.spanProcessor()));
        })
        .addTracerProviderCustomizer((builder, config) -> builder.addSpanProcessor(Contained.spans("object storage requests", new ObjectStorageRequests())))
        .addLoggerProviderCustomizer((builder, config) -> {
          start(config);
          return builder.addLogRecordProcessor(Contained.logs("loss sentinels (logs)", losses.logProcessor()));
        })
        .addSamplerCustomizer((sampler, config) -> {
          List<String> problems = new ArrayList<>();
          Sampler wrapped = UntracedRoutes.wrap(sampler, config, problems);
          problems.forEach(p -> log.log(Level.SEVERE, "Loupe: invalid setting " + p));
          return wrapped;
        })
        // redaction: the one point where telemetry leaves the JVM
        .addResourceCustomizer((resource, config) -> exporting(config).active() ? exporting.resource(resource) : resource)
        .addSpanExporterCustomizer((exporter, config) -> exporting(config).active() ? exporting.spans(exporter) : exporter)
        .addLogRecordExporterCustomizer((exporter, config) -> exporting(config).active() ? exporting.logs(exporter) : exporter)
        .addMetricExporterCustomizer((exporter, config) -> exporting(config).active() ? exporting.metrics(exporter) : exporter);
  }

  private Exporting exporting(ConfigProperties config) {
    start(config);
    return exporting;
  }

  private boolean enabled(ConfigProperties config) {
    start(config);
    return orders.settings().enabled();
  }

  /** The build's version, from a resource: the agent's extension class loader keeps no jar manifest. */
  private static String version() {
    try (InputStream in = LoupeAgentCustomizer.class.getResourceAsStream("extension.properties")) {
      java.util.Properties p = new java.util.Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version");
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  /** Parses the settings once, reports every bad one by name, and announces what is in effect. */
  private synchronized void start(ConfigProperties config) {
    if (orders != null) {
      return;
    }
    OrderIdSettings settings = OrderIdSettings.from(config);
    for (String problem : settings.problems()) {
      log.log(Level.SEVERE, "Loupe: invalid setting " + problem);
    }
    db = DbDiagnosisSettings.from(config);
    for (String problem : db.problems()) {
      log.log(Level.SEVERE, "Loupe: invalid setting " + problem);
    }
    for (String problem : losses.configure(config)) {
      log.log(Level.SEVERE, "Loupe: invalid setting " + problem);
    }
    RouteTemplates routes = RouteTemplates.from(config);
    for (String problem : routes.problems()) {
      log.log(Level.SEVERE, "Loupe: invalid setting " + problem);
    }
    ServerRoutes.use(routes);
    RedactionSettings redaction = RedactionSettings.from(config);
    exporting = new Exporting(redaction);
    orders = new OrderCorrelation(settings);
    log.info("Loupe agent extension " + (VERSION == null ? "(development build)" : VERSION)
        + " active; order correlation: " + settings.describe() + "; database diagnosis: " + db.describe() + "; loss sentinels: " + losses.describe()
        + "; HTTP routes: " + routes.describe() + "; redaction: " + redaction.describe());
    PlaintextExport.warnings(config).forEach(log::warning);
  }
}
