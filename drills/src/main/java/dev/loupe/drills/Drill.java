package dev.loupe.drills;

import dev.loupe.sample.stack.Stack;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One failure point caused on the running stack, and the page it must produce.
 *
 * @param point the failure point, 1–9 as in {@code docs/failure-points.md}; 0 for the slow orders page
 * @param scenario what is broken, in one line
 * @param cause how it is caused (a fault id of the catalogue, or an outage)
 * @param expected the alerts that must reach on-call (or the team channel, for a ticket), each with its labels
 * @param target the longest the first expected alert may take from the fault to its arrival
 * @param targetWhy where the target comes from: the rule's {@code for} and windows, the export interval, the route's wait
 * @param explained alerts (as {@code alertname on service}) the scenario also explains, with why; any other
 *     page while the drill runs is unexplained and fails the run
 * @param resolveWithin how long after the fault is switched off the expected alerts must be resolved
 * @param resolveWhy where that comes from
 * @param action switches the cause on and off
 */
public record Drill(int point, String scenario, String cause, List<Expected> expected, Duration target, String targetWhy,
    Map<String, String> explained, Duration resolveWithin, String resolveWhy, Action action) {

  /**
   * An alert a drill must produce.
   *
   * @param severity {@code page} (to {@code /oncall}, and a copy to {@code /team}) or {@code ticket} (to {@code /team})
   * @param failurePoint the {@code failure_point} label it must carry
   */
  public record Expected(String alertname, String service, String severity, String failurePoint) {

    /** The webhook path the routing sends it to. */
    public String channel() {
      return severity.equals("page") ? "/oncall" : "/team";
    }

    public String group() {
      return alertname + " on " + service;
    }

    /** The runbook URL's ending every alert's {@code runbook_url} has: {@code alert-rules/runbooks/<alertname>.md}. */
    public String runbook() {
      return "alert-rules/runbooks/" + alertname + ".md";
    }
  }

  /** What causes the failure on the running stack. */
  public interface Action {
    /** Switches the failure on. */
    void on(Stack stack, CustomerLoad customers) throws Exception;

    /** Called about every second while the drill waits for its page: e.g. the customers who trigger it. */
    default void meanwhile(Stack stack, CustomerLoad customers) throws Exception {}

    /** Switches it off again, and waits until the stack works again. */
    void off(Stack stack, CustomerLoad customers) throws Exception;
  }

  /** The id used on the command line: the point's number; 0 for the orders page. */
  public String id() {
    return Integer.toString(point);
  }

  /** "1", ..., "9", or "orders page". */
  public String pointName() {
    return point == 0 ? "orders page" : Integer.toString(point);
  }
}
