package dev.loupe.collector;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * An OpenTelemetry Collector Builder manifest ({@code distribution/manifest.yaml}): the distribution's
 * name, version and output path, and the Go module of every component, each with the component type it
 * registers, written after it as a {@code # type: NAME} comment (the builder ignores comments).
 */
public final class Manifest {

  /** The config sections that hold components, in the order the builder's manifest has them. */
  public static final List<String> KINDS = List.of("extensions", "receivers", "processors", "exporters", "connectors");

  private static final String CORE = "go.opentelemetry.io/collector/";
  private static final Pattern TYPED_MODULE = Pattern.compile("^\\s*-\\s*gomod:\\s*(\\S+)\\s+(\\S+)\\s*#\\s*type:\\s*(\\S+)\\s*$");

  /** One Go module of the manifest: its path, its version and, for a component, its type (else null). */
  public record Module(String path, String version, String type) {

    /** True for the OpenTelemetry Collector core's own modules ({@code go.opentelemetry.io/collector/...}). */
    public boolean core() {
      return path.startsWith(CORE);
    }
  }

  private final byte[] bytes;
  private final String name;
  private final String version;
  private final String outputPath;
  private final Map<String, List<Module>> components;
  private final List<Module> providers;

  private Manifest(byte[] bytes, String name, String version, String outputPath, Map<String, List<Module>> components,
      List<Module> providers) {
    this.bytes = bytes;
    this.name = name;
    this.version = version;
    this.outputPath = outputPath;
    this.components = components;
    this.providers = providers;
  }

  /**
   * Reads a manifest file.
   *
   * @throws IOException if it cannot be read, is not YAML, lacks {@code dist.name}, or names a component
   *     module without its {@code # type:} comment, naming the file and the module
   */
  public static Manifest load(Path file) throws IOException {
    return parse(Files.readAllBytes(file), file.toString());
  }

  /**
   * Parses a manifest's bytes.
   *
   * @param origin where the bytes come from, for error messages
   * @throws IOException as {@link #load(Path)}
   */
  @SuppressWarnings("unchecked")
  public static Manifest parse(byte[] bytes, String origin) throws IOException {
    String text = new String(bytes, StandardCharsets.UTF_8);
    Map<String, Object> root;
    try {
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
      if (!(doc instanceof Map)) {
        throw new IOException(origin + " is not a YAML mapping");
      }
      root = (Map<String, Object>) doc;
    } catch (YAMLException e) {
      throw new IOException(origin + " is not valid YAML: " + e.getMessage(), e);
    }
    Map<String, String> typeOf = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      Matcher m = TYPED_MODULE.matcher(line);
      if (m.matches()) {
        typeOf.put(m.group(1) + " " + m.group(2), m.group(3));
      }
    }
    Map<String, Object> dist = root.get("dist") instanceof Map ? (Map<String, Object>) root.get("dist") : Map.of();
    String name = dist.get("name") == null ? null : String.valueOf(dist.get("name"));
    if (name == null || name.isBlank()) {
      throw new IOException(origin + ": dist.name is missing");
    }
    Map<String, List<Module>> components = new LinkedHashMap<>();
    for (String kind : KINDS) {
      List<Module> modules = new ArrayList<>();
      for (String gomod : gomods(root.get(kind), origin, kind)) {
        String type = typeOf.get(gomod);
        if (type == null) {
          throw new IOException(origin + ": " + kind + " module '" + gomod + "' has no '# type: NAME' comment");
        }
        modules.add(module(gomod, type, origin));
      }
      components.put(kind, List.copyOf(modules));
    }
    List<Module> providers = new ArrayList<>();
    for (String gomod : gomods(root.get("providers"), origin, "providers")) {
      providers.add(module(gomod, null, origin));
    }
    return new Manifest(bytes.clone(), name, dist.get("version") == null ? "" : String.valueOf(dist.get("version")),
        dist.get("output_path") == null ? "./_build" : String.valueOf(dist.get("output_path")), components,
        List.copyOf(providers));
  }

  private static List<String> gomods(Object section, String origin, String kind) throws IOException {
    List<String> gomods = new ArrayList<>();
    if (section == null) {
      return gomods;
    }
    if (!(section instanceof List<?> list)) {
      throw new IOException(origin + ": " + kind + " is not a list");
    }
    for (Object entry : list) {
      Object gomod = entry instanceof Map<?, ?> m ? m.get("gomod") : null;
      if (gomod == null) {
        throw new IOException(origin + ": an entry of " + kind + " has no gomod: " + entry);
      }
      gomods.add(String.valueOf(gomod).trim());
    }
    return gomods;
  }

  private static Module module(String gomod, String type, String origin) throws IOException {
    String[] parts = gomod.split("\\s+");
    if (parts.length != 2 || !parts[1].startsWith("v")) {
      throw new IOException(origin + ": '" + gomod + "' is not 'module/path vX.Y.Z'");
    }
    return new Module(parts[0], parts[1], type);
  }

  /** The distribution's name, {@code dist.name}: also the binary's file name. */
  public String name() {
    return name;
  }

  /** {@code dist.version}, or "" if the manifest sets none. */
  public String version() {
    return version;
  }

  /** {@code dist.output_path}: where the builder writes, relative to the folder it runs in. */
  public String outputPath() {
    return outputPath;
  }

  /**
   * The component modules of one kind, in manifest order.
   *
   * @param kind one of {@link #KINDS}
   * @throws IllegalArgumentException for any other kind
   */
  public List<Module> components(String kind) {
    List<Module> modules = components.get(kind);
    if (modules == null) {
      throw new IllegalArgumentException("not a component kind: " + kind + " (one of " + KINDS + ")");
    }
    return modules;
  }

  /** Every component module, of every kind. */
  public List<Module> components() {
    return components.values().stream().flatMap(List::stream).toList();
  }

  /** The confmap provider modules (env, file, yaml, ...). */
  public List<Module> providers() {
    return providers;
  }

  /**
   * The builder release that goes with this manifest: the one version that every core v0 module
   * ({@code go.opentelemetry.io/collector/... v0.x}) has.
   *
   * @throws IllegalStateException if there is no such module or they disagree
   */
  public String builderVersion() {
    Set<String> versions = new LinkedHashSet<>();
    for (Module module : components()) {
      if (module.core() && module.version().startsWith("v0.")) {
        versions.add(module.version());
      }
    }
    if (versions.size() != 1) {
      throw new IllegalStateException("the core v0 modules must share one version to pick the builder, not " + versions);
    }
    return versions.iterator().next();
  }

  /**
   * What keeps this manifest from being one release: component modules (contrib and core v0) at more
   * than one version, core stable (v1) modules or providers at more than one version, a type declared
   * twice in one kind, or none of the env, file and yaml providers.
   *
   * @return one line per problem; empty if there is none
   */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    Set<String> componentVersions = new LinkedHashSet<>();
    Set<String> stableVersions = new LinkedHashSet<>();
    for (Module module : components()) {
      (module.version().startsWith("v0.") ? componentVersions : stableVersions).add(module.version());
    }
    providers.forEach(p -> stableVersions.add(p.version()));
    if (componentVersions.size() > 1) {
      problems.add("component modules are at more than one release: " + componentVersions);
    }
    if (stableVersions.size() > 1) {
      problems.add("stable (v1) modules are at more than one release: " + stableVersions);
    }
    for (String kind : KINDS) {
      Set<String> seen = new LinkedHashSet<>();
      for (Module module : components(kind)) {
        if (!seen.add(module.type())) {
          problems.add(kind + ": type '" + module.type() + "' is declared twice");
        }
      }
    }
    for (String scheme : List.of("env", "file", "yaml")) {
      if (providers.stream().noneMatch(p -> p.path().endsWith("/" + scheme + "provider"))) {
        problems.add("providers: no " + scheme + "provider");
      }
    }
    return problems;
  }

  /** The SHA-256 of the manifest's bytes, in lower-case hex: the key of a built binary in the cache. */
  public String sha256() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The manifest's bytes, exactly as read. */
  public byte[] bytes() {
    return bytes.clone();
  }
}
