package dev.loupe.sample.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The product's promise: the legacy apps know nothing of OpenTelemetry; only the agent observes them. */
class SampleAppsStayFreeOfOpenTelemetryTest {

  private static final Pattern DEPENDENCY = Pattern.compile("<groupId>\\s*io\\.opentelemetry");
  private static final Pattern IMPORT = Pattern.compile("(?m)^\\s*import\\s+(static\\s+)?io\\.opentelemetry\\.");
  /** A fully qualified use without an import, e.g. {@code io.opentelemetry.api.GlobalOpenTelemetry.get()}. */
  private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w])io\\.opentelemetry\\.[a-z]+\\.[A-Za-z]");

  @Test
  void noPomUnderSampleAppsDependsOnOpenTelemetry() throws IOException {
    List<Path> poms = files("pom.xml");
    assertThat(poms).hasSizeGreaterThanOrEqualTo(7);
    assertThat(poms).noneMatch(p -> DEPENDENCY.matcher(read(p)).find());
  }

  @Test
  void noSourceUnderSampleAppsImportsOpenTelemetry() throws IOException {
    List<Path> sources = files(".java");
    assertThat(sources).hasSizeGreaterThan(30);
    assertThat(sources).noneMatch(p -> IMPORT.matcher(read(p)).find() || QUALIFIED.matcher(read(p)).find());
  }

  @Test
  void theScanWouldNoticeAnImport() {
    assertThat(IMPORT.matcher("package x;\nimport io.opentelemetry.api.trace.Span;\n").find()).isTrue();
    assertThat(DEPENDENCY.matcher("<dependency><groupId>io.opentelemetry</groupId>").find()).isTrue();
    assertThat(QUALIFIED.matcher("var s = io.opentelemetry.api.trace.Span.current();").find()).isTrue();
  }

  private static List<Path> files(String suffix) throws IOException {
    Path sampleApps = RunningStack.repository().resolve("sample-apps");
    try (Stream<Path> all = Files.walk(sampleApps)) {
      return all.filter(p -> p.toString().endsWith(suffix))
          .filter(p -> !sampleApps.relativize(p).toString().contains("target"))
          // this scanner quotes what it looks for
          .filter(p -> !p.getFileName().toString().equals(SampleAppsStayFreeOfOpenTelemetryTest.class.getSimpleName() + ".java"))
          .toList();
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
