package dev.loupe.collector;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The component types a Collector distribution has, per config section (receivers, processors,
 * exporters, connectors, extensions): either as its builder manifest declares them, or as a real
 * binary reports them ({@code otelcol components}).
 */
public final class Distribution {

  private final String name;
  private final Map<String, Set<String>> types;

  private Distribution(String name, Map<String, Set<String>> types) {
    this.name = name;
    this.types = types;
  }

  /**
   * The types a builder manifest declares (its {@code # type:} comments), named "NAME VERSION" after
   * its {@code dist} section.
   */
  public static Distribution of(Manifest manifest) {
    Map<String, Set<String>> types = new LinkedHashMap<>();
    for (String kind : Manifest.KINDS) {
      Set<String> ofKind = new TreeSet<>();
      manifest.components(kind).forEach(m -> ofKind.add(m.type()));
      types.put(kind, ofKind);
    }
    return new Distribution((manifest.name() + " " + manifest.version()).trim(), types);
  }

  /**
   * The types a Collector binary has, from the YAML its {@code components} command prints.
   *
   * @throws IOException if the binary cannot run, fails, or prints something that is not that YAML;
   *     the message carries what it printed
   * @throws InterruptedException if interrupted while waiting for it
   */
  public static Distribution ofBinary(Path binary) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(binary.toString(), "components").redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(binary + " components did not finish in 60 s");
    }
    if (process.exitValue() != 0) {
      throw new IOException(binary + " components failed (exit " + process.exitValue() + "):\n" + output);
    }
    return ofComponents(output, binary.getFileName().toString());
  }

  /**
   * The types in the output of {@code otelcol components}: each section's list of {@code name:}
   * entries; the distribution is named "COMMAND VERSION" after its {@code buildinfo}, or
   * {@code fallbackName}.
   *
   * @throws IOException if {@code output} is not that YAML
   */
  @SuppressWarnings("unchecked")
  public static Distribution ofComponents(String output, String fallbackName) throws IOException {
    Map<String, Object> root;
    try {
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(output);
      if (!(doc instanceof Map)) {
        throw new IOException("not the YAML of 'components':\n" + output);
      }
      root = (Map<String, Object>) doc;
    } catch (YAMLException e) {
      throw new IOException("not the YAML of 'components': " + e.getMessage() + "\n" + output, e);
    }
    Map<String, Set<String>> types = new LinkedHashMap<>();
    for (String kind : Manifest.KINDS) {
      Set<String> ofKind = new TreeSet<>();
      if (root.get(kind) instanceof List<?> list) {
        for (Object entry : list) {
          if (entry instanceof Map<?, ?> m && m.get("name") != null) {
            ofKind.add(String.valueOf(m.get("name")));
          }
        }
      }
      types.put(kind, ofKind);
    }
    String name = fallbackName;
    if (root.get("buildinfo") instanceof Map<?, ?> info && info.get("command") != null) {
      name = (info.get("command") + " " + (info.get("version") == null ? "" : info.get("version"))).trim();
    }
    return new Distribution(name, types);
  }

  /** "NAME VERSION" of the distribution, for messages. */
  public String name() {
    return name;
  }

  /**
   * Whether the distribution has a component of this type.
   *
   * @param kind a config section: receivers, processors, exporters, connectors or extensions
   * @param type the part of a component id before any '/'
   */
  public boolean has(String kind, String type) {
    return types.getOrDefault(kind, Set.of()).contains(type);
  }

  /**
   * The types of one section, sorted.
   *
   * @param kind a config section: receivers, processors, exporters, connectors or extensions
   */
  public Set<String> types(String kind) {
    return Collections.unmodifiableSet(types.getOrDefault(kind, new TreeSet<>()));
  }
}
