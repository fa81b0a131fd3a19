package dev.loupe.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How LoupeCollector finds, builds and caches the binary, with a stand-in {@code go} and builder (shell
 * scripts that log their calls and write a fake binary), so it runs in seconds and without Go.
 * CollectorValidateTest uses the real build.
 */
class LoupeCollectorTest {

  @TempDir
  Path dir;

  private Path cache;
  private Path calls;
  private Path fakeGo;
  private final ByteArrayOutputStream progress = new ByteArrayOutputStream();
  private final Map<String, String> env = new HashMap<>();

  @BeforeEach
  void fakeGo() throws IOException {
    cache = dir.resolve("cache");
    calls = dir.resolve("calls");
    fakeGo = script(dir.resolve("go-bin/go"), """
        #!/bin/sh
        echo "go $*" >> "$FAKE_CALLS"
        env | sort > "$FAKE_CALLS.go-env"
        if [ "$1" = install ]; then
          mkdir -p "$GOBIN"
          tool="$GOBIN/$(basename "${2%@*}")"
          cat > "$tool" <<'EOF'
        #!/bin/sh
        echo "builder $*" >> "$FAKE_CALLS"
        env | sort > "$FAKE_CALLS.builder-env"
        echo "Compiling"
        if [ -n "$FAKE_FAIL" ]; then echo "cannot find module providing package example.org/missing"; exit 1; fi
        mkdir -p _build && printf '#!/bin/sh\\necho fake otelcol\\n' > _build/loupe-otelcol && chmod +x _build/loupe-otelcol
        EOF
          chmod +x "$tool"
        fi
        """);
    env.put("PATH", "/usr/bin:/bin");
    env.put("FAKE_CALLS", calls.toString());
  }

  @Test
  void buildsOnceFromTheManifestAndReusesTheBuildWhileTheManifestIsUnchanged() throws Exception {
    Manifest manifest = Manifest.load(CollectorConfigTest.MANIFEST);
    Path binary = locator(manifest, fakeGo).resolve();

    assertThat(binary).isEqualTo(cache.resolve(manifest.sha256()).resolve("loupe-otelcol")).isExecutable();
    assertThat(binary.resolveSibling("manifest.sha256")).hasContent(manifest.sha256());
    assertThat(binary.resolveSibling("manifest.yaml")).hasSameBinaryContentAs(CollectorConfigTest.MANIFEST);
    assertThat(Files.readString(binary.resolveSibling("build.log"))).contains("Compiling").containsPattern("built in \\d+m\\d\\ds");
    assertThat(Files.readAllLines(calls)).containsExactly(
        "go install go.opentelemetry.io/collector/cmd/builder@v0.161.0", "builder --config manifest.yaml");
    assertThat(progress.toString(StandardCharsets.UTF_8)).contains("[loupe-otelcol] building loupe-otelcol 0.161.0-loupe")
        .contains("[loupe-otelcol] builder: Compiling").contains("[loupe-otelcol] built " + binary);
    assertThat(cache.resolve(manifest.sha256() + ".work")).doesNotExist();

    assertThat(locator(manifest, fakeGo).resolve()).isEqualTo(binary);
    assertThat(locator(manifest, null).resolve()).as("a cached build needs no Go").isEqualTo(binary);
    assertThat(Files.readAllLines(calls)).as("nothing built again").hasSize(2);
  }

  @Test
  void theBuildRunsWithoutVcsStampingOnTheLocalToolchainAndTheGoItFound() throws Exception {
    locator(Manifest.load(CollectorConfigTest.MANIFEST), fakeGo).resolve();
    List<String> install = Files.readAllLines(Path.of(calls + ".go-env"));
    List<String> build = Files.readAllLines(Path.of(calls + ".builder-env"));
    assertThat(install).contains("GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local",
        "GOBIN=" + cache.resolve("tools/builder-v0.161.0"));
    assertThat(build).contains("GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local")
        .anyMatch(line -> line.startsWith("PATH=" + fakeGo.getParent() + ":"));
  }

  @Test
  void aChangedManifestIsANewBuild() throws Exception {
    Manifest manifest = Manifest.load(CollectorConfigTest.MANIFEST);
    Path edited = dir.resolve("manifest.yaml");
    Files.writeString(edited, Files.readString(CollectorConfigTest.MANIFEST) + "# another comment\n");
    Path first = locator(manifest, fakeGo).resolve();
    Path second = locator(Manifest.load(edited), fakeGo).resolve();
    assertThat(second).isNotEqualTo(first).isExecutable();
    assertThat(Files.readAllLines(calls)).filteredOn(line -> line.startsWith("builder")).hasSize(2);
    assertThat(Files.readAllLines(calls)).filteredOn(line -> line.startsWith("go install")).as("the builder is kept").hasSize(1);
  }

  @Test
  void aFailedBuildSaysWhyAndLeavesNothingThatLooksBuilt() throws Exception {
    Manifest manifest = Manifest.load(CollectorConfigTest.MANIFEST);
    env.put("FAKE_FAIL", "1");
    assertThatThrownBy(() -> locator(manifest, fakeGo).resolve()).isInstanceOf(IOException.class)
        .hasMessageContaining("failed (exit 1)")
        .hasMessageContaining("cannot find module providing package example.org/missing")
        .hasMessageContaining("full log: " + cache.resolve(manifest.sha256() + ".work/build.log"));
    assertThatThrownBy(() -> locator(manifest, null).resolve()).isInstanceOf(CollectorUnavailableException.class);
  }

  @Test
  void aToolOfTheCollectorProjectIsInstalledOnceBesideTheBuilder() throws Exception {
    String telemetrygen = "github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen";
    Manifest manifest = Manifest.load(CollectorConfigTest.MANIFEST);
    Path tool = locator(manifest, fakeGo).tool(telemetrygen, "v0.161.0");
    assertThat(tool).isEqualTo(cache.resolve("tools/telemetrygen-v0.161.0/telemetrygen")).isExecutable();
    assertThat(Files.readAllLines(Path.of(calls + ".go-env"))).contains("GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local",
        "GOBIN=" + tool.getParent());
    assertThat(locator(manifest, null).tool(telemetrygen, "v0.161.0")).as("once installed, no Go needed").isEqualTo(tool);
    assertThat(Files.readAllLines(calls)).containsExactly("go install " + telemetrygen + "@v0.161.0");
    assertThatThrownBy(() -> locator(manifest, null).tool(telemetrygen, "v0.162.0"))
        .isInstanceOf(CollectorUnavailableException.class).hasMessageContaining("Go is not installed");
  }

  @Test
  void withoutGoOrAnExternalBinaryItSaysWhatToDo() throws Exception {
    assertThatThrownBy(() -> locator(Manifest.load(CollectorConfigTest.MANIFEST), null).resolve())
        .isInstanceOf(CollectorUnavailableException.class)
        .hasMessage("No OpenTelemetry Collector to run: LOUPE_OTELCOL is not set and Go is not installed (no 'go' on PATH)"
            + " to build loupe-otelcol from collector-config/distribution/manifest.yaml. Install Go, or set"
            + " LOUPE_OTELCOL=/path/to/otelcol (or -Dloupe.otelcol=...) to a Collector that has the manifest's components.");
  }

  @Test
  void anExternalBinaryIsUsedAsItIsAndNothingIsBuilt() throws Exception {
    Path otelcol = script(dir.resolve("otelcol-contrib"), "#!/bin/sh\necho external\n");
    LoupeCollector locator = LoupeCollector.of(Manifest.load(CollectorConfigTest.MANIFEST), cache, otelcol, fakeGo, env,
        new PrintStream(progress, true, StandardCharsets.UTF_8));
    assertThat(locator.external()).isTrue();
    assertThat(locator.resolve()).isEqualTo(otelcol);
    assertThat(calls).doesNotExist();
  }

  @Test
  void anExternalBinaryThatIsNotThereIsNamed() throws Exception {
    Path missing = dir.resolve("no-such-otelcol");
    LoupeCollector locator = LoupeCollector.of(Manifest.load(CollectorConfigTest.MANIFEST), cache, missing, fakeGo, env,
        new PrintStream(progress, true, StandardCharsets.UTF_8));
    assertThatThrownBy(locator::resolve).isInstanceOf(IOException.class)
        .hasMessage("LOUPE_OTELCOL (or -Dloupe.otelcol) names " + missing + ", which is not an executable file");
  }

  @Test
  void goIsFoundOnThePath() throws Exception {
    assertThat(LoupeCollector.findGo(Map.of("PATH", dir.resolve("nothing") + ":" + fakeGo.getParent()))).isEqualTo(fakeGo);
  }

  private LoupeCollector locator(Manifest manifest, Path go) {
    return LoupeCollector.of(manifest, cache, null, go, env, new PrintStream(progress, true, StandardCharsets.UTF_8));
  }

  private static Path script(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }
}
