package dev.loupe.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One PromQL query of one generated panel.
 *
 * @param dashboard the dashboard's uid, e.g. {@code loupe-orders}
 * @param panel the panel's title
 * @param query PromQL with Grafana's variables filled by {@code src/queries.js}
 */
record PanelQuery(String dashboard, String panel, String query) {

  /** The panel as the exemptions name it: {@code <uid> / <title>}. */
  String panelKey() {
    return dashboard + " / " + panel;
  }

  /**
   * The PromQL queries of the file {@code node src/queries.js Loupe} writes (Maven writes it to
   * {@code target/panel-queries.json} and names it by the system property {@code loupe.dashboards.queries}).
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalStateException when the system property is not set (the test runs outside Maven)
   */
  static List<PanelQuery> promql() throws IOException {
    String file = System.getProperty("loupe.dashboards.queries");
    if (file == null) {
      throw new IllegalStateException("loupe.dashboards.queries names no file: run the test through Maven");
    }
    List<PanelQuery> out = new ArrayList<>();
    for (JsonNode q : new ObjectMapper().readTree(Files.readString(Path.of(file)))) {
      if (q.path("language").asText().equals("promql")) {
        out.add(new PanelQuery(q.path("dashboard").asText(), q.path("panel").asText(), q.path("query").asText()));
      }
    }
    return out;
  }
}
