package dev.loupe.agent.order;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A long operation to watch, from {@code loupe.operations}:
 * {@code price_calculation:dev.example.PriceCalculator#calculate:arg0.orderId:30m} — a name (a bounded
 * metric attribute), the method, where its order id is, and the deadline after which a call still
 * running is overdue.
 */
public final class Operation {

  private final String name;
  private final LegacyMethod method;
  private final Duration deadline;

  /**
   * @param name the operation's name, the {@code operation} attribute of its metrics
   * @param method the watched method and where its order id is
   * @param deadline how long a call may run before it is overdue
   */
  public Operation(String name, LegacyMethod method, Duration deadline) {
    this.name = name;
    this.method = method;
    this.deadline = deadline;
  }

  public String name() {
    return name;
  }

  public LegacyMethod method() {
    return method;
  }

  public Duration deadline() {
    return deadline;
  }

  /**
   * @throws IllegalArgumentException saying what is wrong with the spec
   */
  public static Operation parse(String spec) {
    String[] parts = spec.trim().split(":");
    if (parts.length != 4) {
      throw new IllegalArgumentException("'" + spec.trim() + "' is not name:class#method:argN.path:deadline, e.g."
          + " price_calculation:com.example.PriceCalculator#calculate:arg0.orderId:30m");
    }
    if (!parts[0].matches("[a-z][a-z0-9_]{0,63}")) {
      throw new IllegalArgumentException("'" + spec.trim() + "' has the name '" + parts[0]
          + "'; use lower case letters, digits and _");
    }
    LegacyMethod method = LegacyMethod.parse(parts[1] + ":" + parts[2]);
    if (method.fromReturnValue()) {
      throw new IllegalArgumentException("'" + spec.trim() + "' must take the order id from an argument: the"
          + " return value comes too late for a call still running");
    }
    return new Operation(parts[0], method, deadline(spec.trim(), parts[3]));
  }

  private static Duration deadline(String spec, String text) {
    try {
      Duration d;
      if (text.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
      } else {
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        switch (text.charAt(text.length() - 1)) {
          case 's':
            d = Duration.ofSeconds(n);
            break;
          case 'm':
            d = Duration.ofMinutes(n);
            break;
          case 'h':
            d = Duration.ofHours(n);
            break;
          default:
            throw new NumberFormatException();
        }
      }
      if (d.isZero() || d.isNegative()) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("'" + spec + "' has the deadline '" + text + "'; use e.g. 500ms, 90s, 30m or 2h");
    }
  }

  /** How the parsed operations reach the instrumentation's helpers: {@code name|method|millis;...}. */
  public static String handoff(List<Operation> operations) {
    List<String> out = new ArrayList<>();
    for (Operation o : operations) {
      out.add(o.name + "|" + o.method + "|" + o.deadline.toMillis());
    }
    return String.join(";", out);
  }

  public static List<Operation> parseHandoff(String text) {
    List<Operation> out = new ArrayList<>();
    for (String entry : text.split(";")) {
      if (!entry.trim().isEmpty()) {
        String[] f = entry.split("\\|");
        out.add(new Operation(f[0], LegacyMethod.parse(f[1]), Duration.ofMillis(Long.parseLong(f[2]))));
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof Operation)) {
      return false;
    }
    Operation that = (Operation) other;
    return name.equals(that.name) && method.equals(that.method) && deadline.equals(that.deadline);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, method, deadline);
  }

  @Override
  public String toString() {
    return name + ":" + method + ":" + deadline.toMillis() + "ms";
  }
}
