package dev.loupe.sample.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A child process of the stack, its output in a log file, stopped with everything it started. */
final class ManagedProcess {

  private final String name;
  private final Process process;
  private final Path log;

  private ManagedProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  static ManagedProcess start(String name, List<String> command, Map<String, String> env, Path log) {
    return start(name, command, env, log, null);
  }

  /**
   * Starts {@code command} with {@code env} added, its output appended to {@code log}, in {@code workDir}
   * (the caller's working directory if null): where a process drops files of its own, such as a crash dump.
   */
  static ManagedProcess start(String name, List<String> command, Map<String, String> env, Path log, Path workDir) {
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder pb = new ProcessBuilder(command)
          .directory(workDir == null ? null : workDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(env);
      return new ManagedProcess(name, pb.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + name + ": " + e.getMessage(), e);
    }
  }

  /** Runs a short command to completion and fails with its output if it does not succeed. */
  static String run(String what, List<String> command, Map<String, String> env, Duration timeout) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().putAll(env);
      Process p = pb.start();
      byte[] out;
      try (var in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(what + " did not finish within " + timeout.toSeconds() + " s");
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(what + " failed (exit " + p.exitValue() + "): " + text.strip());
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(what + " could not run: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " was interrupted", e);
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  Path log() {
    return log;
  }

  /** The last lines of the process's output, to explain a failure. */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no output in " + log + ")";
    }
  }

  /** Asks the process and its children to stop, and kills whatever is left after {@code grace}. */
  void stop(Duration grace) {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  long pid() {
    return process.pid();
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
