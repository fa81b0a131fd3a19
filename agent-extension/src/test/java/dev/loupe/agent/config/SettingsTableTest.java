package dev.loupe.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.export.PlaintextExport;
import dev.loupe.agent.order.amqp.AmqpBodyInstrumentationModule;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The settings table of {@code agent-extension/README.md} is the code's: every setting the extension
 * reads is in it, in the same order, with its default, and nothing else is; and the defaults the
 * extension supplies to the agent are the ones its parsers fall back to.
 */
class SettingsTableTest {

  /** {@code | `loupe.x` | default | meaning |}. */
  private static final Pattern ROW = Pattern.compile("^\\| `(loupe\\.[a-z0-9.-]+)` \\| (.*?) \\| .*\\|$");

  @Test
  void theReadmeTableListsEverySettingWithItsDefaultInTheCodesOrder() throws Exception {
    Map<String, String> table = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("README.md"))) {
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        assertThat(table.put(m.group(1), m.group(2))).as(m.group(1) + " is in the table once").isNull();
      }
    }
    Map<String, String> defaults = LoupeSettings.defaults();
    assertThat(table.keySet()).containsExactlyElementsOf(defaults.keySet());
    defaults.forEach((key, value) -> {
      if (value.isEmpty()) {
        assertThat(table.get(key)).as(key + " has no default value in the code; the table says what applies instead")
            .doesNotStartWith("`");
      } else {
        assertThat(table.get(key)).as(key).isEqualTo("`" + value + "`");
      }
    });
  }

  @Test
  void everySettingTheCodeReadsHasADefaultAndEveryDefaultIsRead() {
    Set<String> read = new LinkedHashSet<>();
    ConfigProperties recording = recording(DefaultConfigProperties.createFromMap(Map.of()), read);
    LoupeSettings.from(recording);
    new AmqpBodyInstrumentationModule().defaultEnabled(recording);
    PlaintextExport.warnings(recording);
    Set<String> loupe = new LinkedHashSet<>();
    read.stream().filter(k -> k.startsWith("loupe.")).forEach(loupe::add);
    assertThat(loupe).containsExactlyInAnyOrderElementsOf(LoupeSettings.defaults().keySet());
  }

  @Test
  void theSuppliedDefaultsAreWhatTheParsersFallBackTo() {
    LoupeSettings supplied = LoupeSettings.from(DefaultConfigProperties.createFromMap(LoupeSettings.supplied()));
    LoupeSettings fallen = LoupeSettings.from(DefaultConfigProperties.createFromMap(Map.of()));
    assertThat(supplied.problems()).isEmpty();
    assertThat(supplied.redaction().problems()).isEmpty();
    assertThat(supplied.describe()).isEqualTo(fallen.describe());
  }

  /** {@code config}, noting the name of every setting asked for. */
  private static ConfigProperties recording(ConfigProperties config, Set<String> read) {
    return (ConfigProperties) Proxy.newProxyInstance(ConfigProperties.class.getClassLoader(),
        new Class<?>[] {ConfigProperties.class}, (proxy, method, args) -> {
          if (args != null && args.length > 0 && args[0] instanceof String) {
            read.add((String) args[0]);
          }
          try {
            return method.invoke(config, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
