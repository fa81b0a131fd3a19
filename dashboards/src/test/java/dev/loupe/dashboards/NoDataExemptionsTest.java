package dev.loupe.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.dashboards.NoDataExemptions.Coverage;
import dev.loupe.dashboards.NoDataExemptions.Exemption;
import dev.loupe.dashboards.NoDataExemptions.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The exemptions of {@link PanelsHaveDataIT} hold without running it: each names a panel or a query the
 * generated dashboards still have, and the README states the coverage they leave. Reads the queries
 * {@code src/queries.js} wrote from the committed dashboards (Maven writes {@code target/panel-queries.json}
 * before the tests). Runs in well under a second.
 */
class NoDataExemptionsTest {

  private static List<PanelQuery> queries;

  @BeforeAll
  static void read() throws Exception {
    queries = PanelQuery.promql();
    assertThat(queries).as("PromQL queries of the generated panels").hasSizeGreaterThan(100);
  }

  @Test
  void everyExemptionStillNamesAPanelOrMatchesAQuery() {
    assertThat(NoDataExemptions.stale(NoDataExemptions.PANELS, NoDataExemptions.QUERIES, queries))
        .as("exemptions that no panel or query of the dashboards matches any more").isEmpty();
  }

  @Test
  void aStaleExemptionIsFound() {
    Map<String, Exemption> panels = new LinkedHashMap<>(NoDataExemptions.PANELS);
    Map<String, Exemption> parts = new LinkedHashMap<>(NoDataExemptions.QUERIES);
    Exemption gone = new Exemption(Kind.CANNOT, "a panel since removed");
    panels.put("loupe-orders / A panel since renamed", gone);
    parts.put("a_metric_no_panel_queries_total", gone);
    assertThat(NoDataExemptions.stale(panels, parts, queries)).containsExactly(
        "panel loupe-orders / A panel since renamed", "query part a_metric_no_panel_queries_total");
  }

  @Test
  void everyExemptionGivesAReason() {
    Map<String, Exemption> all = new LinkedHashMap<>(NoDataExemptions.PANELS);
    all.putAll(NoDataExemptions.QUERIES);
    all.forEach((name, e) -> assertThat(e.reason()).as(name).hasSizeGreaterThan(30).doesNotContain("not assured"));
  }

  /** The README's sentence on coverage is the exemptions' count of the generated queries. */
  @Test
  void theReadmeStatesTheCoverage() throws Exception {
    Coverage c = Coverage.of(queries);
    assertThat(c.mayLack()).isPositive();
    String readme = Files.readString(Path.of(System.getProperty("loupe.repository"), "dashboards", "README.md"))
        .replaceAll("\\s+", " ");
    assertThat(readme).contains(String.format("Of the %d PromQL queries of the generated panels, %d must return "
        + "data; %d are exempt because the run cannot produce their series, %d because it may or may not",
        c.total(), c.mustHaveData(), c.cannot(), c.mayLack()));
  }
}
