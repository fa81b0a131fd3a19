package dev.loupe.sample.faults;

import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The admin endpoint every sample app answers, independent of its web framework:
 *
 * <pre>
 * GET    /admin/faults        the service's faults, each with its state and description
 * PUT    /admin/faults/{id}   switch a fault on
 * DELETE /admin/faults/{id}   switch a fault off
 * DELETE /admin/faults        switch every fault off
 * </pre>
 */
public final class AdminApi {

  public static final String PATH = "/admin/faults";

  /** An HTTP answer: status code and JSON body. */
  public record Answer(int status, String json) {}

  private final FaultSwitch faults;

  public AdminApi(FaultSwitch faults) {
    this.faults = faults;
  }

  /**
   * @param method the HTTP method
   * @param faultId the path segment after {@code /admin/faults/}, or null for the collection
   */
  public Answer handle(String method, String faultId) {
    if (faultId == null || faultId.isEmpty()) {
      return switch (method) {
        case "GET" -> new Answer(200, list());
        case "DELETE" -> {
          faults.enabled().forEach(f -> faults.set(f, false));
          yield new Answer(200, list());
        }
        default -> new Answer(405, error("use GET or DELETE on " + PATH));
      };
    }
    Optional<Fault> fault = Fault.byId(faultId);
    if (fault.isEmpty() || !fault.get().service().equals(faults.service())) {
      String known = Fault.of(faults.service()).stream().map(Fault::id).collect(Collectors.joining(", "));
      return new Answer(404, error("unknown fault '" + faultId + "' for " + faults.service() + "; known: " + known));
    }
    return switch (method) {
      case "PUT", "POST" -> {
        faults.set(fault.get(), true);
        yield new Answer(200, state(fault.get()));
      }
      case "DELETE" -> {
        faults.set(fault.get(), false);
        yield new Answer(200, state(fault.get()));
      }
      case "GET" -> new Answer(200, state(fault.get()));
      default -> new Answer(405, error("use PUT to switch a fault on and DELETE to switch it off"));
    };
  }

  private String list() {
    return Fault.of(faults.service()).stream()
        .map(this::state)
        .collect(Collectors.joining(",", "{\"service\":\"" + faults.service() + "\",\"faults\":[", "]}"));
  }

  private String state(Fault f) {
    return "{\"id\":\"" + f.id() + "\",\"on\":" + faults.isOn(f) + ",\"failurePoint\":" + f.failurePoint()
        + ",\"description\":\"" + escape(f.description()) + "\"}";
  }

  private static String error(String message) {
    return "{\"error\":\"" + escape(message) + "\"}";
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
