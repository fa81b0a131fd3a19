package dev.loupe.agent.http;

import dev.loupe.agent.order.PathTemplate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code loupe.http.route-templates}: the routes of a server whose instrumentation knows none, such as
 * the JDK's built-in {@code HttpServer}, which reports its context path ({@code /}) for every request.
 * Without them every request of such a server lands in one {@code http.route} series, and no alert on
 * one route can see it.
 *
 * <p>A path takes the template with the most literal segments among those it matches, so
 * {@code /admin/faults/reset} beats {@code /admin/faults/{fault}} whatever their order in the setting.
 */
public final class RouteTemplates {

  public static final String SETTING = "loupe.http.route-templates";

  private final PathTemplate[] templates;
  private final List<String> problems;

  private RouteTemplates(List<PathTemplate> templates, List<String> problems) {
    this.templates = templates.toArray(new PathTemplate[0]);
    this.problems = Collections.unmodifiableList(new ArrayList<>(problems));
  }

  /** Each setting with its default ({@code ""} for none), as the extension supplies them to the agent. */
  public static Map<String, String> defaults() {
    return Collections.singletonMap(SETTING, "");
  }

  /**
   * Parses the setting's value ({@code ""} for none); a bad template is reported by name in
   * {@link #problems()} and left out, the others still apply.
   */
  public static RouteTemplates parse(String text) {
    List<PathTemplate> templates = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (String item : text.split(",")) {
      if (item.trim().isEmpty()) {
        continue;
      }
      try {
        PathTemplate t = PathTemplate.parseRoute(item);
        if (templates.stream().anyMatch(o -> o.toString().equals(t.toString()))) {
          problems.add(SETTING + ": '" + t + "' is listed twice");
        } else {
          templates.add(t);
        }
      } catch (IllegalArgumentException e) {
        problems.add(SETTING + ": " + e.getMessage() + "; this template is ignored");
      }
    }
    templates.sort(Comparator.comparingInt(PathTemplate::literalSegments).reversed());
    return new RouteTemplates(templates, problems);
  }

  /** The template matching {@code path}, or null. */
  public String route(String path) {
    if (path == null) {
      return null;
    }
    for (PathTemplate t : templates) {
      if (t.matches(path)) {
        return t.toString();
      }
    }
    return null;
  }

  /** The templates in effect, comma-separated, to hand to the instrumentation. */
  public String handoff() {
    StringBuilder out = new StringBuilder();
    for (PathTemplate t : templates) {
      out.append(out.length() == 0 ? "" : ",").append(t);
    }
    return out.toString();
  }

  public boolean isEmpty() {
    return templates.length == 0;
  }

  public List<String> problems() {
    return problems;
  }

  public String describe() {
    return templates.length == 0 ? "none" : templates.length + " route templates";
  }
}
