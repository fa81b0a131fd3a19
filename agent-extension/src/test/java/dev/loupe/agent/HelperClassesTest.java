package dev.loupe.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.javaagent.extension.instrumentation.InstrumentationModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every instrumentation module of the extension injects whole helpers: each class its list names, and
 * every class the compiler nested in it (named or anonymous), as the built class files show.
 */
class HelperClassesTest {

  private static final Path CLASSES = Path.of("target/classes");

  @Test
  void everyModuleInjectsEveryClassNestedInItsHelpers() throws Exception {
    List<String> modules = Files.readAllLines(
        CLASSES.resolve("META-INF/services/io.opentelemetry.javaagent.extension.instrumentation.InstrumentationModule"));
    assertThat(modules).hasSizeGreaterThanOrEqualTo(6);
    for (String name : modules) {
      InstrumentationModule module = (InstrumentationModule) Class.forName(name).getDeclaredConstructor().newInstance();
      List<String> helpers = module.getAdditionalHelperClassNames();
      for (String helper : helpers) {
        assertThat(CLASSES.resolve(helper.replace('.', '/') + ".class")).as(name + " helper " + helper).exists();
        assertThat(nestedIn(helper)).as(name + ": the classes nested in " + helper).isSubsetOf(helpers);
        assertThat(module.isHelperClass(helper) || !overridesIsHelperClass(module)).as(name + " knows " + helper).isTrue();
      }
    }
  }

  @Test
  void nestedAndAnonymousClassesAreFoundWithoutLoadingThem() {
    List<String> helpers = HelperClasses.of(HelperClassesTest.class, "dev.loupe.agent.loss.rabbit.RabbitLoss",
        "dev.loupe.agent.order.mdc.ContextOrder");
    assertThat(helpers).contains("dev.loupe.agent.loss.rabbit.RabbitLoss$Headers",
        "dev.loupe.agent.order.mdc.ContextOrder$SpanReaders");
  }

  private static List<String> nestedIn(String className) throws Exception {
    Path file = CLASSES.resolve(className.replace('.', '/') + ".class");
    String prefix = file.getFileName().toString().replace(".class", "$");
    try (Stream<Path> siblings = Files.list(file.getParent())) {
      return siblings.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(prefix) && f.endsWith(".class"))
          .map(f -> className.substring(0, className.lastIndexOf('.') + 1) + f.substring(0, f.length() - 6))
          .collect(Collectors.toList());
    }
  }

  private static boolean overridesIsHelperClass(InstrumentationModule module) throws Exception {
    return module.getClass().getMethod("isHelperClass", String.class).getDeclaringClass() != InstrumentationModule.class;
  }
}
