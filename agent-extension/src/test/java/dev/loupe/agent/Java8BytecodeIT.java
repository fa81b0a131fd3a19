package dev.loupe.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.agent.harness.AgentStack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The built extension jar loads on every Java the agent supports (8 and later): each class in it, the
 * helpers the agent injects into the application's class loaders among them, is class file version 52
 * (Java 8), as {@code javap -v} reports it.
 */
class Java8BytecodeIT {

  /** Class file major version 52 is Java 8 (JVMS §4.1). */
  private static final String JAVA_8 = "52";
  private static final Pattern CLASS = Pattern.compile("(?m)^Classfile jar:file:.*!/(\\S+)\\.class$");
  private static final Pattern MAJOR = Pattern.compile("(?m)^\\s*major version: (\\d+)$");

  @Test
  void everyClassOfTheExtensionJarIsJava8Bytecode() throws Exception {
    Path jar = AgentStack.repository().resolve("agent-extension/target/loupe-agent-extension.jar");
    assertThat(jar).isRegularFile();
    List<String> classes = new ArrayList<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      file.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class"))
          .forEach(n -> classes.add(n.substring(0, n.length() - ".class".length()).replace('/', '.')));
    }
    // the helpers injected into the application's class loaders, which an application on Java 8 loads
    assertThat(classes).contains("dev.loupe.agent.Guard", "dev.loupe.agent.order.mdc.OrderMdc",
        "dev.loupe.agent.order.methods.OrderMethodSupport", "dev.loupe.agent.loss.rabbit.RabbitLoss",
        "dev.loupe.agent.order.amqp.AmqpBodyOrderId", "dev.loupe.agent.order.LegacyMethod");

    List<String> args = new ArrayList<>(List.of("-v", "-cp", jar.toString()));
    args.addAll(classes);
    StringWriter out = new StringWriter();
    int exit = ToolProvider.findFirst("javap").orElseThrow()
        .run(new PrintWriter(out, true), new PrintWriter(out, true), args.toArray(String[]::new));
    assertThat(exit).as("javap exit code; output:%n%s", out).isZero();

    Map<String, String> majorByClass = majorVersions(out.toString());
    assertThat(majorByClass.keySet()).containsExactlyInAnyOrderElementsOf(classes);
    assertThat(majorByClass.entrySet().stream().filter(e -> !e.getValue().equals(JAVA_8))
        .map(e -> e.getKey() + " is major version " + e.getValue()).collect(Collectors.toList())).isEmpty();
  }

  /** javap -v prints one "Classfile" header per class, and its "major version" a few lines below. */
  private static Map<String, String> majorVersions(String javap) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher header = CLASS.matcher(javap);
    List<Integer> starts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    while (header.find()) {
      starts.add(header.start());
      names.add(header.group(1).replace('/', '.'));
    }
    for (int i = 0; i < names.size(); i++) {
      int end = i + 1 < starts.size() ? starts.get(i + 1) : javap.length();
      Matcher major = MAJOR.matcher(javap.substring(starts.get(i), end));
      out.put(names.get(i), major.find() ? major.group(1) : "(none)");
    }
    return out;
  }
}
