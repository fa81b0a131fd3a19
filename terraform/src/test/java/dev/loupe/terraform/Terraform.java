package dev.loupe.terraform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The terraform CLI as the checks run it: {@code terraform} on {@code PATH} or in {@code /usr/local/bin}, else
 * OpenTofu's {@code tofu} (the same language). Every run keeps terraform's working files under
 * {@code terraform/target/tf/<name>} ({@code TF_DATA_DIR}) and reads the CLI config the run is given, never
 * the user's {@code ~/.terraformrc}.
 */
final class Terraform {

  static final Path REPOSITORY = Path.of(System.getProperty("loupe.repository", "..")).toAbsolutePath().normalize();
  static final Path ROOT = REPOSITORY.resolve("terraform");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one run printed (standard output and error together) and its exit status. */
  record Result(int exit, String output) {
    boolean ok() {
      return exit == 0;
    }
  }

  private final Path binary;
  private final Path cliConfig;

  private Terraform(Path binary, Path cliConfig) {
    this.binary = binary;
    this.cliConfig = cliConfig;
  }

  /** The binary, or empty when neither terraform nor tofu is installed (the checks then skip and say so). */
  static Optional<Path> binary() {
    return binary("terraform").or(() -> binary("tofu"));
  }

  /** The executable {@code name} on {@code PATH} or in {@code /usr/local/bin}, if there is one. */
  static Optional<Path> binary(String name) {
    for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/local/bin").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Why the checks that need the CLI are skipped on this machine. */
  static final String NO_BINARY = "neither terraform nor tofu is on PATH or in /usr/local/bin; tools/prerequisites tests installs OpenTofu";

  /** terraform with a CLI config that installs no provider: for modules that need none. */
  static Terraform withoutProviders(Path binary) {
    Path config = ROOT.resolve("target/tf/no-providers.tfrc");
    write(config, "# the modules run with this config need no provider\n");
    return new Terraform(binary, config);
  }

  /** terraform installing providers only through {@code cliConfig} (terraform/providers/build's). */
  static Terraform withProviders(Path binary, Path cliConfig) {
    return new Terraform(binary, cliConfig);
  }

  /**
   * Runs {@code terraform args...} in {@code dir}, its working files in {@code target/tf/<dataName>}.
   *
   * @throws IllegalStateException when it runs longer than 10 minutes
   */
  Result run(Path dir, String dataName, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(List.of(args));
    Map<String, String> env = new HashMap<>();
    env.put("TF_CLI_CONFIG_FILE", cliConfig.toString());
    env.put("TF_DATA_DIR", ROOT.resolve("target/tf/" + dataName).toString());
    env.put("TF_IN_AUTOMATION", "1");
    env.put("CHECKPOINT_DISABLE", "1");
    return exec(dir, command, env, 600);
  }

  /**
   * The outputs of the root module in {@code dir} as a plan would set them: {@code init}, {@code plan -out}
   * with {@code vars} ({@code -var name=value}), then {@code show -json}; no state is written.
   *
   * @return output name → its value, as JSON
   * @throws IllegalStateException with terraform's output when a step fails
   */
  JsonNode outputs(Path dir, String dataName, Map<String, String> vars) {
    Result init = run(dir, dataName, "init", "-input=false", "-backend=false", "-no-color");
    if (!init.ok()) {
      throw new IllegalStateException("terraform init in " + dir + " failed:\n" + init.output());
    }
    Path plan = ROOT.resolve("target/tf/" + dataName + ".plan");
    List<String> args = new ArrayList<>(List.of("plan", "-input=false", "-no-color", "-out=" + plan));
    vars.forEach((k, v) -> args.add("-var=" + k + "=" + v));
    Result planned = run(dir, dataName, args.toArray(String[]::new));
    if (!planned.ok()) {
      throw new IllegalStateException("terraform plan in " + dir + " failed:\n" + planned.output());
    }
    Result shown = run(dir, dataName, "show", "-json", plan.toString());
    if (!shown.ok()) {
      throw new IllegalStateException("terraform show in " + dir + " failed:\n" + shown.output());
    }
    try {
      JsonNode outputs = JSON.readTree(shown.output()).path("planned_values").path("outputs");
      var values = JSON.createObjectNode();
      outputs.fields().forEachRemaining(e -> values.set(e.getKey(), e.getValue().get("value")));
      return values;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code command} in {@code dir} with {@code env} added, for at most {@code seconds}. */
  static Result exec(Path dir, List<String> command, Map<String, String> env, long seconds) {
    try {
      Path log = Files.createTempFile("loupe-terraform-", ".log");
      try {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException(String.join(" ", command) + " ran longer than " + seconds + " s:\n"
              + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log));
      } finally {
        Files.deleteIfExists(log);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Every file under terraform/ that is the project's (not target/, not terraform's working files). */
  static List<Path> projectFiles() {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(Files::isRegularFile)
          .filter(p -> !ROOT.relativize(p).startsWith("target"))
          .filter(p -> !p.toString().contains("/.terraform/") && !p.getFileName().toString().equals(".terraform.lock.hcl"))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
