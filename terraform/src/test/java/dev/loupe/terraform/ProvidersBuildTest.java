package dev.loupe.terraform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code terraform/providers/build} when Go cannot have a module: it exits 3 and names the refused module with
 * its version and Go's reason, on standard error and in {@code <key>/refused}, so {@link TerraformProvidersIT}
 * skips saying which module. Go here is the real one, kept from the network: an empty module cache with
 * {@code GOPROXY=off}, or a {@code file://} proxy in a temp dir that serves only the sortorder module (so the
 * providers' own download is the one refused). Each run takes about a second. Where the machine has no Go,
 * the script's other refusal (no Go, exit 3) is what is checked.
 */
class ProvidersBuildTest {

  private static final Path BUILD = Terraform.ROOT.resolve("providers/build");
  private static final String SORTORDER = "github.com/fvbommel/sortorder";

  @TempDir
  Path dir;

  @Test
  void aRefusedDownloadExitsThreeNamingTheModule() throws IOException {
    Terraform.Result r = build(Map.of("GOPROXY", "off"));
    assertThat(r.exit()).as(r.output()).isEqualTo(3);
    if (noGo(r)) {
      return;
    }
    String reason = SORTORDER + "@v1.0.1: module lookup disabled by GOPROXY=off";
    assertThat(r.output()).contains("not built:").contains(reason);
    assertThat(refused()).contains(reason);
  }

  @Test
  void aProviderTheProxyDoesNotServeIsNamedWithItsVersion() throws IOException {
    Terraform.Result r = build(Map.of("GOPROXY", proxyServingOnlySortorder().toUri().toString(), "GOSUMDB", "off"));
    assertThat(r.exit()).as(r.output()).isEqualTo(3);
    if (noGo(r)) {
      return;
    }
    for (String provider : List.of("helm@v1.3.2", "kubernetes@v1.13.4")) {
      assertThat(r.output()).as(r.output()).contains("github.com/hashicorp/terraform-provider-" + provider + ": ");
    }
    assertThat(refused()).doesNotContain(SORTORDER).contains("github.com/hashicorp/terraform-provider-helm@v1.3.2: ");
  }

  /** The script with an empty cache and module cache of its own, {@code env} added. */
  private Terraform.Result build(Map<String, String> env) {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("LOUPE_TF_PROVIDERS_CACHE", dir.resolve("cache").toString());
    all.put("GOMODCACHE", dir.resolve("modules").toString());
    all.put("GOFLAGS", "-modcacherw"); // so @TempDir can delete the module cache
    return Terraform.exec(dir, List.of(BUILD.toString()), all, 120);
  }

  /** Without Go the script refuses for that reason; then that is what is checked. */
  private static boolean noGo(Terraform.Result r) {
    if (r.output().contains("No Go")) {
      assertThat(r.output()).contains("to build the helm and kubernetes providers");
      return true;
    }
    return false;
  }

  private String refused() throws IOException {
    try (var keys = Files.list(dir.resolve("cache"))) {
      return Files.readString(keys.findFirst().orElseThrow().resolve("refused"));
    }
  }

  /** A GOPROXY directory (the proxy protocol's file layout) with a stand-in of sortorder v1.0.1 only. */
  private Path proxyServingOnlySortorder() throws IOException {
    Path v = Files.createDirectories(dir.resolve("proxy").resolve(SORTORDER).resolve("@v"));
    String mod = "module " + SORTORDER + "\n";
    Files.writeString(v.resolve("list"), "v1.0.1\n");
    Files.writeString(v.resolve("v1.0.1.info"), "{\"Version\":\"v1.0.1\",\"Time\":\"2020-01-01T00:00:00Z\"}");
    Files.writeString(v.resolve("v1.0.1.mod"), mod);
    try (OutputStream out = Files.newOutputStream(v.resolve("v1.0.1.zip")); ZipOutputStream zip = new ZipOutputStream(out)) {
      String prefix = SORTORDER + "@v1.0.1/";
      for (Map.Entry<String, String> f : Map.of("go.mod", mod, "natsort.go", "package sortorder\n").entrySet()) {
        zip.putNextEntry(new ZipEntry(prefix + f.getKey()));
        zip.write(f.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return dir.resolve("proxy");
  }
}
