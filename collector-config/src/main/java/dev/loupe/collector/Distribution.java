package dev.loupe.collector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** The component types a pinned Collector distribution has, from a {@code .components} file. */
public final class Distribution {

  private final String name;
  private final Map<String, Set<String>> types;

  private Distribution(String name, Map<String, Set<String>> types) {
    this.name = name;
    this.types = types;
  }

  /** Reads lines of {@code kind type module}; '#' starts a comment. */
  public static Distribution load(Path file) throws IOException {
    Map<String, Set<String>> types = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      String text = line.replaceAll("#.*", "").trim();
      if (text.isEmpty()) {
        continue;
      }
      String[] fields = text.split("\\s+");
      if (fields.length != 3) {
        throw new IOException(file + ": '" + line + "' is not 'kind type module'");
      }
      types.computeIfAbsent(fields[0] + "s", k -> new HashSet<>()).add(fields[1]);
    }
    String fileName = file.getFileName().toString();
    return new Distribution(fileName.substring(0, fileName.lastIndexOf('.')), types);
  }

  public String name() {
    return name;
  }

  /** @param kind a config section: receivers, processors, exporters, connectors or extensions */
  public boolean has(String kind, String type) {
    return types.getOrDefault(kind, Set.of()).contains(type);
  }
}
