package dev.loupe.sample.stack;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One stack for every test class of this JVM: private PostgreSQL and RabbitMQ, s3proxy, the three apps.
 * Started on first use, stopped when the test run ends; every fault is switched off after each test.
 */
public final class RunningStack implements ParameterResolver, AfterEachCallback {

  private static final String KEY = "loupe-stack";

  /** Holds the stack in JUnit's root store, which closes it at the end of the run. */
  private record Held(Stack stack) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      stack.close();
    }
  }

  static Stack stack(ExtensionContext context) {
    return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(KEY, k -> new Held(Stack.builder(repository())
            .workDir(repository().resolve("sample-apps/stack/target/stack-" + ProcessHandle.current().pid()))
            .calculation(Duration.ofMillis(500))
            .progress(line -> System.out.println("[stack] " + line))
            .start()), Held.class)
        .stack();
  }

  static Path repository() {
    return Path.of(System.getProperty("loupe.repository", "../..")).toAbsolutePath().normalize();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Stack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return stack(context);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    stack(context).resetFaults();
  }
}
