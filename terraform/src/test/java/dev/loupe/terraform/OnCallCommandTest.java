package dev.loupe.terraform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page-sending command of terraform/README.md ("How on-call starts receiving pages") as written: its
 * {@code printf} line (amtool's HTTP config) and its {@code amtool} command run with the real amtool, in a
 * temp dir with a PEM CA bundle of this machine as {@code ca.crt}, against a loopback port nothing listens
 * on. amtool refuses an unknown flag or an unreadable config before it connects, so an error about the
 * connection, and no other, shows both are what amtool takes. Skipped, saying so, without amtool
 * ({@code tools/prerequisites} installs it); well under a second.
 */
class OnCallCommandTest {

  private static final Pattern BLOCK = Pattern.compile("3\\. Send one page end to end.*?```\\n(.*?)```", Pattern.DOTALL);

  @TempDir
  Path dir;

  @Test
  void theReadmesAmtoolCommandIsOneAmtoolTakes() throws IOException {
    Optional<Path> amtool = Terraform.binary("amtool");
    assumeTrue(amtool.isPresent(), "no amtool on PATH or in /usr/local/bin: tools/prerequisites installs it");
    Matcher m = BLOCK.matcher(Files.readString(Terraform.ROOT.resolve("README.md")));
    assertThat(m.find()).as("README's step 3 with its command block").isTrue();
    String block = m.group(1).replaceAll("\\\\\\n\\s*", "");
    List<String> lines = block.lines().map(String::strip).toList();
    String printf = lines.stream().filter(l -> l.startsWith("printf ")).findFirst().orElseThrow();
    String command = lines.stream().filter(l -> l.startsWith("amtool ")).findFirst().orElseThrow();
    assertThat(command).contains("--alertmanager.url=https://localhost:9093 ");

    Files.copy(caBundle(), dir.resolve("ca.crt"));
    String closed = command.replace("amtool ", amtool.get() + " ")
        .replace("https://localhost:9093", "https://localhost:" + closedPort());
    Terraform.Result r = Terraform.exec(dir, List.of("bash", "-c", printf + " && " + closed), Map.of(), 30);

    assertThat(Files.readString(dir.resolve("amtool-http.yml"))).contains("ca_file: ca.crt")
        .contains("server_name: alertmanager.loupe-monitoring.svc");
    assertThat(r.exit()).as(r.output()).isNotZero();
    assertThat(r.output()).as("amtool got as far as connecting").contains("connection refused")
        .doesNotContain("unknown").doesNotContain("failed to create");
  }

  /** A PEM file of CA certificates this machine has (Debian's bundle), standing in for the company's CA. */
  private static Path caBundle() {
    for (String p : List.of("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt")) {
      if (Files.isRegularFile(Path.of(p))) {
        return Path.of(p);
      }
    }
    throw new IllegalStateException("no CA bundle (ca-certificates) on this machine");
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
