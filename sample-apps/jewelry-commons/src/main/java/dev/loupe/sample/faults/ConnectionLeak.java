package dev.loupe.sample.faults;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The pool-leak faults: while {@code fault} is on, each {@link #leakOne()} borrows a pooled connection
 * and never gives it back, as a code path that forgets to close one would; switching the fault off
 * returns them all, so the service heals without a restart.
 */
public final class ConnectionLeak {

  private final DataSource pool;
  private final Fault fault;
  private final FaultSwitch faults;
  private final List<Connection> leaked = new ArrayList<>();

  public ConnectionLeak(DataSource pool, Fault fault, FaultSwitch faults) {
    this.pool = pool;
    this.fault = fault;
    this.faults = faults;
    faults.onChange(fault, on -> {
      if (!on) {
        releaseAll();
      }
    });
  }

  /** Under the fault, borrows one connection for good; once the pool is empty this waits and gives up. */
  public void leakOne() {
    if (!faults.isOn(fault)) {
      return;
    }
    try {
      Connection c = pool.getConnection();
      synchronized (leaked) {
        leaked.add(c);
      }
    } catch (SQLException e) {
      // the pool is exhausted already: the caller's own statement fails the same way next
    }
  }

  /** Returns every leaked connection to the pool. */
  public void releaseAll() {
    synchronized (leaked) {
      for (Connection c : leaked) {
        try {
          c.close();
        } catch (SQLException e) {
          // a connection the pool has already discarded cannot be returned; nothing is left to do
        }
      }
      leaked.clear();
    }
  }
}
