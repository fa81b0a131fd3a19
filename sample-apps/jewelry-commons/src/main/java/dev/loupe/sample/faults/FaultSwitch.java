package dev.loupe.sample.faults;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The faults one service has switched on. Each app exposes it on a small admin endpoint; see
 * {@link AdminApi} for the shape every app answers with.
 */
public final class FaultSwitch {

  private final String service;
  private final Set<Fault> on = EnumSet.noneOf(Fault.class);
  private final Map<Fault, List<Consumer<Boolean>>> listeners = new EnumMap<>(Fault.class);

  public FaultSwitch(String service) {
    if (Fault.of(service).isEmpty()) {
      throw new IllegalArgumentException("no faults are defined for service '" + service + "'");
    }
    this.service = service;
  }

  public String service() {
    return service;
  }

  public synchronized boolean isOn(Fault fault) {
    return on.contains(fault);
  }

  /** Runs {@code listener} with the new state whenever the fault is switched on or off. */
  public synchronized void onChange(Fault fault, Consumer<Boolean> listener) {
    listeners.computeIfAbsent(fault, f -> new ArrayList<>()).add(listener);
  }

  /**
   * Switches a fault of this service on or off.
   *
   * @throws IllegalArgumentException if the fault belongs to another service
   */
  public void set(Fault fault, boolean enabled) {
    if (!fault.service().equals(service)) {
      throw new IllegalArgumentException(
          "fault '" + fault.id() + "' belongs to " + fault.service() + ", not " + service);
    }
    List<Consumer<Boolean>> toNotify;
    synchronized (this) {
      boolean changed = enabled ? on.add(fault) : on.remove(fault);
      if (!changed) {
        return;
      }
      toNotify = List.copyOf(listeners.getOrDefault(fault, List.of()));
    }
    toNotify.forEach(l -> l.accept(enabled));
  }

  public synchronized Set<Fault> enabled() {
    return on.isEmpty() ? Set.of() : EnumSet.copyOf(on);
  }
}
