package dev.loupe.agent.order;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code loupe.order-id.*} settings, parsed once at startup. A value that cannot be parsed is left
 * out and reported in {@link #problems()} with the setting's name; everything else keeps working.
 */
public final class OrderIdSettings {

  public static final String PREFIX = "loupe.order-id.";
  public static final String ENABLED = PREFIX + "enabled";
  public static final String PATH_TEMPLATES = PREFIX + "path-templates";
  public static final String HEADERS = PREFIX + "headers";
  public static final String QUERY_PARAMETERS = PREFIX + "query-parameters";
  public static final String METHODS = PREFIX + "methods";
  public static final String PATTERN = PREFIX + "pattern";
  /** Long operations to watch; not under {@code order-id}, but they find the order the same way. */
  public static final String OPERATIONS = "loupe.operations";
  /** The order funnel's stages. */
  public static final String STAGES = "loupe.order-stages";
  public static final String AMQP_BODY_FIELDS = PREFIX + "amqp-body-fields";
  public static final String AMQP_BODY_MAX_BYTES = PREFIX + "amqp-body-max-bytes";
  static final int DEFAULT_AMQP_BODY_MAX_BYTES = 4096;

  static final List<String> DEFAULT_PATH_TEMPLATES =
      Collections.unmodifiableList(Arrays.asList("/api/orders/{orderId}", "/api/orders/{orderId}/{action}"));
  static final List<String> DEFAULT_HEADERS = Collections.unmodifiableList(Arrays.asList("x-order-id", "order_id"));
  static final List<String> DEFAULT_QUERY_PARAMETERS = Collections.singletonList("orderId");
  static final String DEFAULT_PATTERN = "[A-Za-z0-9][A-Za-z0-9._:-]{0,63}";

  private final boolean enabled;
  private final List<PathTemplate> pathTemplates;
  private final List<String> headers;
  private final List<String> queryParameters;
  private final List<LegacyMethod> methods;
  private final List<Operation> operations;
  private final List<Stage> stages;
  private final List<String> amqpBodyFields;
  private final int amqpBodyMaxBytes;
  private final Pattern accepted;
  private final List<String> problems;

  private OrderIdSettings(boolean enabled, List<PathTemplate> pathTemplates, List<String> headers,
      List<String> queryParameters, List<LegacyMethod> methods, List<Operation> operations, List<Stage> stages,
      List<String> amqpBodyFields, int amqpBodyMaxBytes, Pattern accepted, List<String> problems) {
    this.enabled = enabled;
    this.pathTemplates = pathTemplates;
    this.headers = headers;
    this.queryParameters = queryParameters;
    this.methods = methods;
    this.operations = operations;
    this.stages = stages;
    this.amqpBodyFields = amqpBodyFields;
    this.amqpBodyMaxBytes = amqpBodyMaxBytes;
    this.accepted = accepted;
    this.problems = problems;
  }

  /** Each setting with its default ({@code ""} for none), as the extension supplies them to the agent. */
  public static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(ENABLED, "true");
    d.put(PATH_TEMPLATES, String.join(",", DEFAULT_PATH_TEMPLATES));
    d.put(HEADERS, String.join(",", DEFAULT_HEADERS));
    d.put(QUERY_PARAMETERS, String.join(",", DEFAULT_QUERY_PARAMETERS));
    d.put(METHODS, "");
    d.put(AMQP_BODY_FIELDS, "");
    d.put(AMQP_BODY_MAX_BYTES, Integer.toString(DEFAULT_AMQP_BODY_MAX_BYTES));
    d.put(PATTERN, DEFAULT_PATTERN);
    d.put(OPERATIONS, "");
    d.put(STAGES, "");
    return d;
  }

  public static OrderIdSettings from(ConfigProperties config) {
    List<String> problems = new ArrayList<>();
    List<PathTemplate> templates = parseEach(config, PATH_TEMPLATES, DEFAULT_PATH_TEMPLATES, PathTemplate::parse, problems);
    List<String> none = Collections.emptyList();
    List<LegacyMethod> methods = parseEach(config, METHODS, none, LegacyMethod::parse, problems);
    List<Operation> operations = parseEach(config, OPERATIONS, none, Operation::parse, problems);
    List<Stage> stages = parseEach(config, STAGES, none, Stage::parse, problems);
    List<String> headers = parseEach(config, HEADERS, DEFAULT_HEADERS, h -> name(h).toLowerCase(Locale.ROOT), problems);
    List<String> query = parseEach(config, QUERY_PARAMETERS, DEFAULT_QUERY_PARAMETERS, OrderIdSettings::name, problems);
    List<String> bodyFields = parseEach(config, AMQP_BODY_FIELDS, none, OrderIdSettings::name, problems);
    int bodyMaxBytes = DEFAULT_AMQP_BODY_MAX_BYTES;
    String maxText = config.getString(AMQP_BODY_MAX_BYTES);
    if (maxText != null) {
      try {
        bodyMaxBytes = Integer.parseInt(maxText.trim());
        if (bodyMaxBytes < 16 || bodyMaxBytes > 1 << 20) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        bodyMaxBytes = DEFAULT_AMQP_BODY_MAX_BYTES;
        problems.add(AMQP_BODY_MAX_BYTES + ": '" + maxText + "' is not a number of bytes from 16 to 1048576; using "
            + DEFAULT_AMQP_BODY_MAX_BYTES);
      }
    }
    Pattern accepted = Pattern.compile(DEFAULT_PATTERN);
    String pattern = config.getString(PATTERN);
    if (pattern != null) {
      try {
        accepted = Pattern.compile(pattern);
      } catch (PatternSyntaxException e) {
        problems.add(PATTERN + ": '" + pattern + "' is not a regular expression (" + e.getDescription()
            + "); using the default " + DEFAULT_PATTERN);
      }
    }
    boolean enabled = true;
    String enabledText = config.getString(ENABLED);
    if (enabledText != null) {
      String v = enabledText.trim().toLowerCase(Locale.ROOT);
      if (v.equals("false")) {
        enabled = false;
      } else if (!v.equals("true")) {
        problems.add(ENABLED + ": '" + enabledText + "' is neither true nor false; order correlation stays on");
      }
    }
    return new OrderIdSettings(enabled, templates, headers, query, methods, operations, stages, bodyFields, bodyMaxBytes, accepted,
        Collections.unmodifiableList(problems));
  }

  public boolean enabled() {
    return enabled;
  }

  public List<PathTemplate> pathTemplates() {
    return pathTemplates;
  }

  /** The header names, lower case. */
  public List<String> headers() {
    return headers;
  }

  public List<String> queryParameters() {
    return queryParameters;
  }

  public List<LegacyMethod> methods() {
    return methods;
  }

  public List<Operation> operations() {
    return operations;
  }

  public List<Stage> stages() {
    return stages;
  }

  public List<String> amqpBodyFields() {
    return amqpBodyFields;
  }

  public int amqpBodyMaxBytes() {
    return amqpBodyMaxBytes;
  }

  public Pattern accepted() {
    return accepted;
  }

  /** What could not be parsed, each naming its setting; empty when every value was understood. */
  public List<String> problems() {
    return problems;
  }

  /** Whether a found value looks like an order id: bounded, no separators that would smuggle data. */
  public boolean accepts(String value) {
    return value != null && accepted.matcher(value).matches();
  }

  /** The effective settings, for the startup line. */
  public String describe() {
    return "enabled=" + enabled + ", path-templates=" + pathTemplates + ", headers=" + headers
        + ", query-parameters=" + queryParameters + ", methods=" + methods + ", operations=" + operations + ", order-stages=" + stages
        + ", amqp-body-fields=" + (amqpBodyFields.isEmpty() ? "off" : amqpBodyFields + " (first " + amqpBodyMaxBytes + " bytes)")
        + ", pattern=" + accepted.pattern();
  }

  private static <T> List<T> parseEach(ConfigProperties config, String key, List<String> defaults,
      Function<String, T> parser, List<String> problems) {
    List<String> values = config.getList(key, defaults);
    List<T> parsed = new ArrayList<>();
    for (String value : values) {
      if (value.trim().isEmpty()) {
        continue;
      }
      try {
        parsed.add(parser.apply(value));
      } catch (IllegalArgumentException e) {
        problems.add(key + ": " + e.getMessage() + "; this entry is ignored");
      }
    }
    return Collections.unmodifiableList(parsed);
  }

  private static String name(String value) {
    String v = value.trim();
    if (!v.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException("'" + v + "' is not a header or parameter name");
    }
    return v;
  }
}
