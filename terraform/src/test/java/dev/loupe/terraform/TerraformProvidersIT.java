package dev.loupe.terraform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code terraform init}, {@code validate} and {@code test} of each environment, for real, with the helm and
 * kubernetes providers that {@code terraform/providers/build} builds from the Go module proxy into a local
 * filesystem mirror (cached under {@code ~/.cache/loupe/terraform-providers/}; a cold build takes minutes).
 * {@code terraform test} runs the environment's {@code tests/*.tftest.hcl} over {@code mock_provider}s: they
 * compare what every chart is given with the repository's files. Skipped, saying exactly why, when there is
 * no terraform or the providers cannot be built (the build names the module the proxy refused).
 */
class TerraformProvidersIT {

  private static Path binary;
  private static Path cliConfig;
  private static String unavailable;

  @BeforeAll
  static void buildTheProviders() {
    binary = Terraform.binary().orElse(null);
    if (binary == null) {
      unavailable = Terraform.NO_BINARY;
      return;
    }
    long started = System.nanoTime();
    Terraform.Result build = Terraform.exec(Terraform.ROOT, List.of(Terraform.ROOT.resolve("providers/build").toString()),
        Map.of(), 40 * 60);
    System.out.printf("[terraform] providers ready in %d s%n", (System.nanoTime() - started) / 1_000_000_000L);
    String[] lines = build.output().strip().split("\n");
    if (build.exit() == 3) {
      unavailable = "the helm and kubernetes providers could not be built:\n" + build.output();
      return;
    }
    assertThat(build.exit()).as("terraform/providers/build:\n" + build.output()).isZero();
    cliConfig = Path.of(lines[lines.length - 1]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"staging", "production"})
  void initValidateAndTestTheEnvironment(String environment) throws IOException {
    assumeTrue(unavailable == null, () -> "terraform init/validate/test not run: " + unavailable);
    Terraform terraform = Terraform.withProviders(binary, cliConfig);
    Path dir = Terraform.ROOT.resolve("environments/" + environment);
    String data = "env-" + environment;

    // a lock file left by another build of the providers holds that build's checksums (it is not kept in git)
    Files.deleteIfExists(dir.resolve(".terraform.lock.hcl"));
    Terraform.Result init = terraform.run(dir, data, "init", "-input=false", "-backend=false", "-no-color");
    assertThat(init.exit()).as("terraform init (offline, from the mirror):\n" + init.output()).isZero();
    assertThat(init.output()).contains("Installing hashicorp/helm v1.3.2").contains("Installing hashicorp/kubernetes v1.13.4");

    Terraform.Result validate = terraform.run(dir, data, "validate", "-no-color");
    assertThat(validate.exit()).as("terraform validate:\n" + validate.output()).isZero();

    Terraform.Result test = terraform.run(dir, data, "test", "-no-color");
    System.out.println("[terraform] " + environment + ": terraform test\n" + test.output());
    assertThat(test.exit()).as("terraform test:\n" + test.output()).isZero();
    Matcher counted = Pattern.compile("(\\d+) passed, (\\d+) failed").matcher(test.output());
    assertThat(counted.find()).as("terraform test's summary:\n" + test.output()).isTrue();
    assertThat(Integer.parseInt(counted.group(1))).as("runs passed").isPositive();
    assertThat(Integer.parseInt(counted.group(2))).as("runs failed").isZero();
  }
}
