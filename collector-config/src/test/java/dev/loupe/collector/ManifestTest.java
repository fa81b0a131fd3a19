package dev.loupe.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The builder manifest, without Go: one release, the components the configs use and no others (but the
 * two kept on purpose), providers for env, file and yaml. CollectorValidateTest holds its declared types
 * to the built binary.
 */
class ManifestTest {

  private static final Path FOLDER = CollectorConfigTest.FOLDER;
  /** Kept although no config uses it: one for troubleshooting. */
  private static final Map<String, Set<String>> KEPT_UNUSED = Map.of("exporters", Set.of("debug"));

  @TempDir
  Path dir;

  @Test
  void theManifestNamesExactlyTheComponentsTheConfigsUse() throws IOException {
    Manifest manifest = Manifest.load(CollectorConfigTest.MANIFEST);
    List<CollectorConfig> configs = List.of(
        CollectorConfig.load(FOLDER.resolve("gateway.yaml"), FOLDER.resolve("overrides/local.yaml")),
        CollectorConfig.load(FOLDER.resolve("gateway.yaml"), FOLDER.resolve("overrides/production.yaml")),
        CollectorConfig.load(FOLDER.resolve("gateway.yaml"), FOLDER.resolve("overrides/lgtm.yaml")),
        CollectorConfig.load(FOLDER.resolve("gateway.yaml"), FOLDER.resolve("overrides/production.yaml"),
            FOLDER.resolve("overrides/scale-out-routing.yaml")),
        CollectorConfig.load(FOLDER.resolve("gateway.yaml"), FOLDER.resolve("overrides/production.yaml"),
            FOLDER.resolve("overrides/scale-out-sampling.yaml")));
    for (String kind : Manifest.KINDS) {
      Set<String> used = new TreeSet<>(KEPT_UNUSED.getOrDefault(kind, Set.of()));
      configs.forEach(c -> used.addAll(c.types(kind)));
      assertThat(Distribution.of(manifest).types(kind)).as(kind).containsExactlyElementsOf(used);
    }
  }

  @Test
  void everyModuleIsOfOneReleaseAndTheBuilderMatchesIt() throws IOException {
    Manifest manifest = Manifest.load(CollectorConfigTest.MANIFEST);
    assertThat(manifest.problems()).isEmpty();
    assertThat(manifest.name()).isEqualTo("loupe-otelcol");
    assertThat(manifest.builderVersion()).isEqualTo("v0.161.0");
    assertThat(manifest.components()).extracting(Manifest.Module::version).containsOnly("v0.161.0");
    assertThat(manifest.providers()).extracting(Manifest.Module::path).containsExactly(
        "go.opentelemetry.io/collector/confmap/provider/envprovider",
        "go.opentelemetry.io/collector/confmap/provider/fileprovider",
        "go.opentelemetry.io/collector/confmap/provider/yamlprovider");
    assertThat(manifest.providers()).extracting(Manifest.Module::version).containsOnly("v1.67.0");
  }

  @Test
  void theJarCarriesTheManifestAsItIs() throws IOException {
    assertThat(LoupeCollector.packagedManifest().sha256()).isEqualTo(Manifest.load(CollectorConfigTest.MANIFEST).sha256());
  }

  @Test
  void aModuleOfAnotherReleaseIsCaught() throws IOException {
    Manifest manifest = Manifest.load(copy("release", "transformprocessor v0.161.0", "transformprocessor v0.160.0"));
    assertThat(manifest.problems()).containsExactly("component modules are at more than one release: [v0.161.0, v0.160.0]");
  }

  @Test
  void aProviderOfAnotherReleaseOrAMissingOneIsCaught() throws IOException {
    Manifest other = Manifest.load(copy("a", "envprovider v1.67.0", "envprovider v1.66.0"));
    assertThat(other.problems()).containsExactly("stable (v1) modules are at more than one release: [v1.66.0, v1.67.0]");
    Manifest missing = Manifest.load(copy("b", "  - gomod: go.opentelemetry.io/collector/confmap/provider/yamlprovider v1.67.0\n", ""));
    assertThat(missing.problems()).containsExactly("providers: no yamlprovider");
  }

  @Test
  void aModuleWithoutItsTypeIsRefusedByName() throws IOException {
    Path broken = copy("c", "redactionprocessor v0.161.0  # type: redaction", "redactionprocessor v0.161.0");
    assertThatThrownBy(() -> Manifest.load(broken)).isInstanceOf(IOException.class).hasMessageContaining(
        "processors module 'github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor v0.161.0'"
            + " has no '# type: NAME' comment");
  }

  @Test
  void theCacheKeyFollowsEveryByte() throws IOException {
    Manifest manifest = Manifest.load(CollectorConfigTest.MANIFEST);
    Manifest edited = Manifest.load(copy("d", "description: Loupe gateway", "description: Loupe's gateway"));
    assertThat(manifest.sha256()).hasSize(64).isNotEqualTo(edited.sha256());
    Path same = Files.copy(CollectorConfigTest.MANIFEST, dir.resolve("same.yaml"));
    assertThat(Manifest.load(same).sha256()).isEqualTo(manifest.sha256());
  }

  private Path copy(String name, String from, String to) throws IOException {
    String text = Files.readString(CollectorConfigTest.MANIFEST);
    assertThat(text).as("the broken copy needs '" + from + "'").contains(from);
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, text.replace(from, to));
    return file;
  }
}
