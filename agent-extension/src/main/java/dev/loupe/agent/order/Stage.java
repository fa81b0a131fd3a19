package dev.loupe.agent.order;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A stage of the order funnel, from {@code loupe.order-stages}: {@code shop_accepted:com.example.Repo#insert}.
 * Every call of the method counts once on {@code loupe.order.stage}, a success unless it threw or lost
 * the order.
 */
public final class Stage {

  private final String name;
  private final String className;
  private final String methodName;

  /**
   * @param name the stage's name, the {@code stage} attribute of {@code loupe.order.stage}
   */
  public Stage(String name, String className, String methodName) {
    this.name = name;
    this.className = className;
    this.methodName = methodName;
  }

  public String name() {
    return name;
  }

  public String className() {
    return className;
  }

  public String methodName() {
    return methodName;
  }

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
    List<String> out = new ArrayList<>();
    for (Stage stage : stages) {
      out.add(stage.toString());
    }
    return String.join(";", out);
  }

  public static List<Stage> parseHandoff(String text) {
    List<Stage> out = new ArrayList<>();
    for (String entry : text.split(";")) {
      if (!entry.trim().isEmpty()) {
        out.add(parse(entry));
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof Stage)) {
      return false;
    }
    Stage that = (Stage) other;
    return name.equals(that.name) && className.equals(that.className) && methodName.equals(that.methodName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, className, methodName);
  }

  @Override
  public String toString() {
    return name + ":" + key();
  }
}
