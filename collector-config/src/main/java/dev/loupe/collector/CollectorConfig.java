package dev.loupe.collector;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A Collector configuration as the Collector sees it: the base file and an environment's overrides
 * merged in order (maps merge key by key, anything else is replaced), and the checks it must pass.
 */
public final class CollectorConfig {

  /** The processor that refuses every service but the front ends' on a browsers' pipeline. */
  static final String FRONTEND_SERVICES = "transform/frontend-services";
  /** The processor that bounds what browsers send before it becomes labels. */
  static final String FRONTEND_BOUNDS = "transform/frontend-bounds";
  private static final List<String> KINDS = List.of("receivers", "processors", "exporters", "connectors", "extensions");

  private final Map<String, Object> root;

  private CollectorConfig(Map<String, Object> root) {
    this.root = root;
  }

  /**
   * Loads and merges {@code files} in order.
   *
   * @throws IOException if a file cannot be read or is not a YAML mapping, naming the file
   */
  public static CollectorConfig load(Path... files) throws IOException {
    Map<String, Object> merged = new LinkedHashMap<>();
    for (Path file : files) {
      merge(merged, parse(file));
    }
    return new CollectorConfig(merged);
  }

  /**
   * Parses one YAML file into maps and lists (an empty file gives an empty map).
   *
   * @throws IOException if it cannot be read, is not YAML or not a mapping, naming the file
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parse(Path file) throws IOException {
    try (Reader in = Files.newBufferedReader(file)) {
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      if (doc == null) {
        return new LinkedHashMap<>();
      }
      if (!(doc instanceof Map)) {
        throw new IOException(file + " is not a YAML mapping");
      }
      return (Map<String, Object>) doc;
    } catch (org.yaml.snakeyaml.error.YAMLException e) {
      throw new IOException(file + " is not valid YAML: " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> into, Map<String, Object> from) {
    from.forEach((key, value) -> {
      Object existing = into.get(key);
      if (existing instanceof Map && value instanceof Map) {
        merge((Map<String, Object>) existing, (Map<String, Object>) value);
      } else {
        into.put(key, value instanceof Map ? new LinkedHashMap<>((Map<String, Object>) value) : value);
      }
    });
  }

  /**
   * The types of the components this configuration defines in one section (the part of each id before
   * any '/'), sorted.
   *
   * @param kind receivers, processors, exporters, connectors or extensions
   */
  public java.util.SortedSet<String> types(String kind) {
    java.util.SortedSet<String> types = new java.util.TreeSet<>();
    section(kind).keySet().forEach(id -> types.add(type(id)));
    return types;
  }

  private static String type(String id) {
    return id.contains("/") ? id.substring(0, id.indexOf('/')) : id;
  }

  /** The merged configuration as YAML, for a Collector that takes a single file. */
  public String toYaml() {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(options).dump(root);
  }

  /**
   * Every problem with this configuration: components a pipeline names but nobody defines, types
   * {@code distribution} does not have, pipelines that do not start with {@code memory_limiter}, order
   * ids as metric dimensions, a receiver for browsers feeding metrics or sharing a pipeline, or without
   * the front ends' filter and bounds first, and, for production, plaintext
   * links or agents' receivers without a token.
   *
   * @param distribution the component types a Collector has (from the manifest or a binary)
   * @param production whether to hold the config to production's rules too
   * @return one line per problem; empty if there is none
   */
  public List<String> problems(Distribution distribution, boolean production) {
    List<String> problems = new ArrayList<>();
    for (String kind : KINDS) {
      for (String id : section(kind).keySet()) {
        String type = type(id);
        if (!distribution.has(kind, type)) {
          problems.add(kind + ": '" + id + "' is of type '" + type + "', which " + distribution.name() + " does not have");
        }
      }
    }
    Map<String, Object> service = map(root.get("service"));
    for (Object extension : list(service.get("extensions"))) {
      if (!section("extensions").containsKey(String.valueOf(extension))) {
        problems.add("service.extensions: '" + extension + "' is not defined under extensions");
      }
    }
    Map<String, Object> pipelines = map(service.get("pipelines"));
    if (pipelines.isEmpty()) {
      problems.add("service.pipelines: there are none");
    }
    pipelines.forEach((name, value) -> checkPipeline(name, map(value), problems));
    checkSpanMetricDimensions(problems);
    checkBrowserReceivers(problems);
    if (production) {
      checkProductionLinks(problems);
    }
    return problems;
  }

  private void checkPipeline(String name, Map<String, Object> pipeline, List<String> problems) {
    String signal = name.contains("/") ? name.substring(0, name.indexOf('/')) : name;
    if (!Set.of("traces", "metrics", "logs").contains(signal)) {
      problems.add("pipeline " + name + ": '" + signal + "' is not a signal (traces, metrics, logs)");
    }
    for (String role : List.of("receivers", "processors", "exporters")) {
      for (Object component : list(pipeline.get(role))) {
        String id = String.valueOf(component);
        boolean connector = !role.equals("processors") && section("connectors").containsKey(id);
        if (!section(role).containsKey(id) && !connector) {
          problems.add("pipeline " + name + ": " + role + " '" + id + "' is not defined");
        }
      }
    }
    if (list(pipeline.get("receivers")).isEmpty() || list(pipeline.get("exporters")).isEmpty()) {
      problems.add("pipeline " + name + ": needs at least one receiver and one exporter");
    }
    List<Object> processors = list(pipeline.get("processors"));
    if (processors.isEmpty() || !String.valueOf(processors.get(0)).split("/")[0].equals("memory_limiter")) {
      problems.add("pipeline " + name + ": memory_limiter must be the first processor, not " + processors);
    }
  }

  private void checkSpanMetricDimensions(List<String> problems) {
    section("connectors").forEach((id, value) -> {
      if (type(id).equals("span_metrics") || type(id).equals("spanmetrics")) {
        for (Object dimension : list(map(value).get("dimensions"))) {
          String name = String.valueOf(map(dimension).get("name"));
          if (name.contains("order") || name.equals("url.full") || name.equals("url.path")) {
            problems.add("connectors." + id + ": dimension '" + name + "' is unbounded; metrics must never carry it");
          }
        }
      }
    });
  }

  private void checkProductionLinks(List<String> problems) {
    walk("", root, (path, key, value) -> {
      if ((key.equals("insecure") || key.equals("insecure_skip_verify")) && Boolean.TRUE.equals(value)) {
        problems.add(path + ": " + key + " is true; production links use TLS");
      }
      if (key.equals("endpoint") && String.valueOf(value).startsWith("http://")) {
        problems.add(path + ": endpoint " + value + " is plaintext HTTP; production links use TLS");
      }
    });
    section("receivers").forEach((id, receiver) -> {
      if (!type(id).equals("otlp")) {
        return;
      }
      map(map(receiver).get("protocols")).forEach((protocol, value) -> {
        Map<String, Object> settings = map(value);
        String where = "receivers." + id + ".protocols." + protocol;
        if (settings.get("tls") == null) {
          problems.add(where + ": no tls");
        }
        // a receiver for browsers (it answers CORS) cannot ask for a token: a browser keeps no secret
        if (settings.get("cors") == null && map(settings.get("auth")).get("authenticator") == null) {
          problems.add(where + ": no auth.authenticator");
        }
      });
    });
  }

  /**
   * A receiver that browsers reach (one with CORS) takes no token, so whatever it takes is untrusted: it
   * must feed no metrics pipeline, where any browser could write the series the alert rules read; and
   * it must have pipelines of its own (no agents' receiver beside it) whose first processor after
   * {@code memory_limiter} is {@value #FRONTEND_SERVICES}, which refuses every service but the front
   * ends', then {@value #FRONTEND_BOUNDS}, which bounds the values that become labels (gateway.yaml).
   */
  private void checkBrowserReceivers(List<String> problems) {
    map(map(root.get("service")).get("pipelines")).forEach((name, value) -> {
      Map<String, Object> pipeline = map(value);
      List<Object> receivers = list(pipeline.get("receivers"));
      List<Object> browsers = receivers.stream().filter(this::isBrowsers).toList();
      if (browsers.isEmpty()) {
        return;
      }
      if (name.startsWith("metrics")) {
        browsers.forEach(receiver -> problems.add("pipeline " + name + ": receiver '" + receiver
            + "' takes browsers' data (CORS); it must not feed metrics"));
        return;
      }
      if (browsers.size() != receivers.size()) {
        problems.add("pipeline " + name + ": browsers' receivers " + browsers + " share it with " + receivers
            + "; they need pipelines of their own");
      }
      List<Object> processors = list(pipeline.get("processors"));
      if (processors.size() < 3 || !FRONTEND_SERVICES.equals(processors.get(1)) || !FRONTEND_BOUNDS.equals(processors.get(2))) {
        problems.add("pipeline " + name + ": takes browsers' data, so must run memory_limiter, " + FRONTEND_SERVICES
            + ", " + FRONTEND_BOUNDS + " first, not " + processors);
      }
    });
  }

  private boolean isBrowsers(Object receiver) {
    Map<String, Object> protocols = map(map(section("receivers").get(String.valueOf(receiver))).get("protocols"));
    return protocols.values().stream().anyMatch(p -> map(p).get("cors") != null);
  }

  private interface Visitor {
    void visit(String path, String key, Object value);
  }

  private static void walk(String path, Object node, Visitor visitor) {
    if (node instanceof Map<?, ?> m) {
      m.forEach((k, v) -> {
        String key = String.valueOf(k);
        String here = path.isEmpty() ? key : path + "." + key;
        visitor.visit(here, key, v);
        walk(here, v, visitor);
      });
    } else if (node instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        walk(path + "[" + i + "]", l.get(i), visitor);
      }
    }
  }

  private Map<String, Object> section(String kind) {
    return map(root.get(kind));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value instanceof Map ? (Map<String, Object>) value : Map.of();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object value) {
    return value instanceof List ? (List<Object>) value : List.of();
  }
}
