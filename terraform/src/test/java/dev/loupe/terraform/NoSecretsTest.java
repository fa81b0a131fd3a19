package dev.loupe.terraform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No secret under terraform/: the PagerDuty key, Slack webhooks, the agents' token, TLS keys, object-store
 * keys and passwords come in as {@code sensitive} variables without a default, from the secret store at
 * apply time. The files are searched for the shapes real secrets have, and each variable block's own
 * attributes are read by {@link VariableBlocks}.
 */
class NoSecretsTest {

  /** Shapes of real secrets; the tests' placeholders ("test-placeholder-...") have none of them. */
  private static final Map<String, Pattern> SECRET_SHAPES = Map.of(
      "a PEM private key", Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----"),
      "a Slack webhook URL", Pattern.compile("hooks\\.slack\\.com/services/[A-Za-z0-9/]+"),
      "an AWS access key id", Pattern.compile("\\b(AKIA|ASIA)[A-Z0-9]{16}\\b"),
      "a 32-hex-digit key (PagerDuty integration keys have this shape)", Pattern.compile("\\b[0-9a-f]{32}\\b"),
      "a bearer token", Pattern.compile("Bearer [A-Za-z0-9._~+/-]{16,}"),
      "a JWT", Pattern.compile("eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}\\."));

  /**
   * Variable names that say the value is a secret; such a variable must be sensitive. The name of a
   * Kubernetes Secret ({@code tls_secret_name}) is not one.
   */
  private static final Pattern SECRET_NAME = Pattern.compile("(?!.*_name$).*(token|password|secret|private_key|routing_key|webhook).*");

  @Test
  void noFileUnderTerraformHoldsASecret() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path file : Terraform.projectFiles()) {
      String text = Files.readString(file);
      SECRET_SHAPES.forEach((what, shape) -> {
        if (shape.matcher(text).find()) {
          found.add(Terraform.ROOT.relativize(file) + ": " + what);
        }
      });
    }
    assertThat(found).isEmpty();
  }

  @Test
  void noVariableFileIsKept() {
    // a .tfvars or .auto.tfvars file is where secrets would be written down; inputs come from TF_VAR_*
    assertThat(Terraform.projectFiles()).noneMatch(p -> p.getFileName().toString().matches(".*\\.tfvars(\\.json)?$"));
  }

  @Test
  void everySecretVariableIsSensitiveAndHasNoDefault() throws IOException {
    List<String> variables = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    for (Path file : Terraform.projectFiles()) {
      if (!file.toString().endsWith(".tf") || Files.isSymbolicLink(file)) {
        continue;
      }
      for (VariableBlocks.Variable v : VariableBlocks.in(Files.readString(file))) {
        String name = v.name();
        String where = Terraform.ROOT.relativize(file) + ": variable " + name;
        variables.add(where);
        boolean sensitive = "true".equals(v.attributes().get("sensitive"));
        if (SECRET_NAME.matcher(name).matches() && !sensitive) {
          wrong.add(where + " is a secret and not sensitive");
        }
        if (sensitive && v.attributes().containsKey("default")) {
          wrong.add(where + " is sensitive and has a default");
        }
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(variables).as("variables read by the HCL parser")
        .anyMatch(v -> v.endsWith("variable pagerduty_routing_key"))
        .anyMatch(v -> v.endsWith("variable agent_token"));
  }
}
