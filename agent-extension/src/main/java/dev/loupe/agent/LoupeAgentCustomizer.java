package dev.loupe.agent;

import dev.loupe.agent.config.LoupeSettings;
import dev.loupe.agent.db.DbDiagnosisSettings;
import dev.loupe.agent.db.StatementDiagnosis;
import dev.loupe.agent.export.PlaintextExport;
import dev.loupe.agent.http.ServerRouteUpdate;
import dev.loupe.agent.loss.LossSentinels;
import dev.loupe.agent.order.OrderCorrelation;
import dev.loupe.agent.redact.Exporting;
import dev.loupe.agent.storage.ObjectStorageRequests;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizer;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizerProvider;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import java.io.InputStream;
import java.util.Collections;
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
 *       by {@code ServerRouteInstrumentationModule})
 *   <li>a warning for each OTLP endpoint telemetry would leave the host on unencrypted
 * </ul>
 */
public final class LoupeAgentCustomizer implements AutoConfigurationCustomizerProvider {

  private static final Logger log = Logger.getLogger("dev.loupe.agent");
  static final String VERSION = version();

  private volatile LoupeSettings settings;
  private volatile OrderCorrelation orders;
  private final LossSentinels losses = new LossSentinels();
  private volatile Exporting exporting;

  @Override
  public void customize(AutoConfigurationCustomizer autoConfiguration) {
    autoConfiguration
        // every setting's default, below everything a user configures
        .addPropertiesSupplier(LoupeSettings::supplied)
        .addPropertiesCustomizer(config -> {
          start(config);
          return Collections.emptyMap();
        })
        .addPropagatorCustomizer((configured, config) -> enabled(config) ? Contained.propagator("order correlation (propagator)", orders.propagator(configured), configured) : configured)
        .addTracerProviderCustomizer((builder, config) -> enabled(config) ? builder.addSpanProcessor(Contained.spans("order correlation (spans)", orders.spanProcessor())) : builder)
        .addTracerProviderCustomizer((builder, config) -> {
          start(config);
          DbDiagnosisSettings db = settings.db();
          return db.enabled() ? builder.addSpanProcessor(Contained.spans("database diagnosis", new StatementDiagnosis(db))) : builder;
        })
        // first: the exporters' processors, added before any customizer, must see the order id, and a
        // simple processor (the console and logging exporters) exports as soon as it is called
        .addLoggerProviderCustomizer((builder, config) -> enabled(config) ? builder.addLogRecordProcessorFirst(Contained.logs("order correlation (logs)", orders.logProcessor())) : builder)
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
          start(config);
          return settings.untracedRoutes().around(sampler);
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
    if (settings != null) {
      return;
    }
    LoupeSettings parsed = LoupeSettings.from(config);
    for (String problem : parsed.problems()) {
      log.log(Level.SEVERE, "Loupe: invalid setting " + problem);
    }
    losses.configure(parsed.messaging());
    System.setProperty(ServerRouteUpdate.HANDOFF, parsed.routeTemplates().handoff());
    exporting = new Exporting(parsed.redaction());
    orders = new OrderCorrelation(parsed.orders());
    settings = parsed;
    log.info("Loupe agent extension " + (VERSION == null ? "(development build)" : VERSION) + " active; " + parsed.describe());
    PlaintextExport.warnings(config).forEach(log::warning);
  }
}
