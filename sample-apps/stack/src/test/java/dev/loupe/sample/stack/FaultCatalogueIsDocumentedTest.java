package dev.loupe.sample.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.sample.faults.Fault;
import java.nio.file.Files;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The fault table in sample-apps/README.md says exactly what the catalogue says. */
class FaultCatalogueIsDocumentedTest {

  @Test
  void everyFaultHasItsRowAndNoRowNamesAFaultThatIsGone() throws Exception {
    String readme = Files.readString(RunningStack.repository().resolve("sample-apps/README.md"));
    for (Fault f : Fault.values()) {
      String point = f.failurePoint() == 0 ? "— (slow page)" : Integer.toString(f.failurePoint());
      assertThat(readme).contains("| `" + f.id() + "` | " + f.service() + " | " + point + " | " + f.description() + " |");
    }
    long rows = Pattern.compile("(?m)^\\| `[a-z0-9-]+` \\| (shop|crm|mes)-api \\|").matcher(readme).results().count();
    assertThat(rows).isEqualTo(Fault.values().length);
  }
}
