package dev.loupe.agent.order;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A legacy method that knows the order id, from {@code loupe.order-id.methods}:
 * {@code com.example.Desk#register:arg0.id} (a property path on an argument) or
 * {@code com.example.Repo#nextOrderId:return} (the return value, or a property path on it).
 */
public final class LegacyMethod {

  /** Where the id is taken from when it is the return value. */
  public static final int RETURN = -1;

  private final String className;
  private final String methodName;
  private final int argument;
  private final List<String> path;

  /**
   * @param argument the argument's index from 0, or {@link #RETURN}
   * @param path the property path on it, copied; empty for the value itself
   */
  public LegacyMethod(String className, String methodName, int argument, List<String> path) {
    this.className = className;
    this.methodName = methodName;
    this.argument = argument;
    this.path = Collections.unmodifiableList(new ArrayList<>(path));
  }

  public String className() {
    return className;
  }

  public String methodName() {
    return methodName;
  }

  /** The argument's index from 0, or {@link #RETURN}. */
  public int argument() {
    return argument;
  }

  /** The property path to the id on the argument or return value; empty for the value itself. */
  public List<String> path() {
    return path;
  }

  public boolean fromReturnValue() {
    return argument == RETURN;
  }

  /** The key under which the instrumentation finds this spec again: {@code class#method}. */
  public String key() {
    return className + "#" + methodName;
  }

  /**
   * @throws IllegalArgumentException saying what is wrong with the spec
   */
  public static LegacyMethod parse(String spec) {
    String s = spec.trim();
    int hash = s.indexOf('#');
    int colon = s.indexOf(':', Math.max(hash, 0));
    if (hash <= 0 || colon < 0 || colon == hash + 1) {
      throw new IllegalArgumentException("'" + s + "' is not class#method:source, e.g."
          + " com.example.Desk#register:arg0.id or com.example.Repo#nextOrderId:return");
    }
    String className = s.substring(0, hash);
    String methodName = s.substring(hash + 1, colon);
    if (!className.matches("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*") || !methodName.matches("[A-Za-z_$][\\w$]*")) {
      throw new IllegalArgumentException("'" + s + "' does not name a Java class and method");
    }
    List<String> source = Arrays.asList(s.substring(colon + 1).split("\\.", -1));
    String root = source.get(0);
    int argument;
    if (root.equals("return")) {
      argument = RETURN;
    } else if (root.matches("arg\\d{1,2}")) {
      argument = Integer.parseInt(root.substring(3));
    } else {
      throw new IllegalArgumentException("'" + s + "' must take the id from argN or return, not '" + root + "'");
    }
    List<String> path = source.subList(1, source.size());
    for (String property : path) {
      if (!property.matches("[A-Za-z_$][\\w$]*")) {
        throw new IllegalArgumentException("'" + s + "' has an invalid property '" + property + "'");
      }
    }
    return new LegacyMethod(className, methodName, argument, path);
  }

  /** The specs as {@link dev.loupe.agent.order.OrderCorrelation} hands them on: already checked, ';'-separated. */
  public static List<LegacyMethod> parseHandoff(String specs) {
    List<LegacyMethod> out = new ArrayList<>();
    for (String spec : specs.split(";")) {
      if (!spec.trim().isEmpty()) {
        out.add(parse(spec));
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof LegacyMethod)) {
      return false;
    }
    LegacyMethod that = (LegacyMethod) other;
    return argument == that.argument && className.equals(that.className) && methodName.equals(that.methodName)
        && path.equals(that.path);
  }

  @Override
  public int hashCode() {
    return Objects.hash(className, methodName, argument, path);
  }

  @Override
  public String toString() {
    return key() + ":" + (fromReturnValue() ? "return" : "arg" + argument) + (path.isEmpty() ? "" : "." + String.join(".", path));
  }
}
