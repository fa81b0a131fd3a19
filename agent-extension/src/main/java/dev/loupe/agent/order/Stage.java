package dev.loupe.agent.order;

import java.util.ArrayList;
import java.util.List;

/**
 * A stage of the order funnel, from {@code loupe.order-stages}: {@code shop_accepted:com.example.Repo#insert}.
 * Every call of the method counts once on {@code loupe.order.stage}, a success unless it threw or lost
 * the order.
 */
public record Stage(String name, String className, String methodName) {

  /**
   * @throws IllegalArgumentException saying what is wrong with the spec
   */
  public static Stage parse(String spec) {
    String s = spec.trim();
    int colon = s.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("'" + s + "' is not name:class#method, e.g. shop_accepted:com.example.Repo#insert");
    }
    String name = s.substring(0, colon);
    if (!name.matches("[a-z][a-z0-9_]{0,63}")) {
      throw new IllegalArgumentException("'" + s + "' has the stage name '" + name + "'; use lower case letters, digits and _");
    }
    LegacyMethod method = LegacyMethod.parse(s.substring(colon + 1) + ":arg0");
    return new Stage(name, method.className(), method.methodName());
  }

  public String key() {
    return className + "#" + methodName;
  }

  public static String handoff(List<Stage> stages) {
    return String.join(";", stages.stream().map(Stage::toString).toList());
  }

  public static List<Stage> parseHandoff(String text) {
    List<Stage> out = new ArrayList<>();
    for (String entry : text.split(";")) {
      if (!entry.isBlank()) {
        out.add(parse(entry));
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return name + ":" + key();
  }
}
