package dev.loupe.agent;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One extension component's switch: on until the component first fails, then off for the life of the
 * JVM (or, for instrumentation helpers, of the class loader they serve), with one SEVERE line naming
 * it. It depends on nothing but the JDK, so the instrumentation's helpers can use it inside the
 * application's class loaders.
 *
 * <p>{@code -Dloupe.internal.fail=name,...} makes the named components fail on first use, to prove the
 * application is unaffected; it is a test hook, not a setting.
 */
public final class Guard {

  public static final String FAIL_HANDOFF = "loupe.internal.fail";
  private static final Logger log = Logger.getLogger("dev.loupe.agent");

  private static final Map<String, Guard> guards = new ConcurrentHashMap<>();

  private final String name;
  private final boolean forced;
  private final AtomicBoolean off = new AtomicBoolean();

  private Guard(String name) {
    this.name = name;
    boolean named = false;
    for (String failing : System.getProperty(FAIL_HANDOFF, "").split(",")) {
      named |= failing.trim().equals(name);
    }
    this.forced = named;
  }

  /** The one switch of that name: a component built twice still fails and reports once. */
  public static Guard named(String name) {
    return guards.computeIfAbsent(name, Guard::new);
  }

  /** False once the component has failed; throws the forced failure, to be caught by the caller's boundary. */
  public boolean on() {
    if (forced && !off.get()) {
      throw new IllegalStateException("forced failure of " + name + " (" + FAIL_HANDOFF + ")");
    }
    return !off.get();
  }

  public void failed(Throwable e) {
    if (off.compareAndSet(false, true)) {
      log.log(Level.SEVERE, "Loupe: " + name + " failed and is switched off;"
          + " the application is unaffected, the telemetry it added is missing from now on", e);
    }
  }

  public String name() {
    return name;
  }
}
