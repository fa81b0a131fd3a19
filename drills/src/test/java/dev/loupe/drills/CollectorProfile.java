package dev.loupe.drills;

import dev.loupe.collector.LoupeCollector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Where a Collector's CPU goes, for the gateway benchmark: {@code perf record} samples the running
 * process (with call stacks; Go keeps frame pointers), and {@code go tool addr2line} names the functions
 * — the distribution is stripped, but a Go binary keeps its function table. Each sample is charged to the
 * first component found on its stack (garbage collection first, then the pipeline's components), and the
 * leaf functions are counted as they are.
 */
final class CollectorProfile {

  /** Go's default load address of a linux/amd64 executable; perf reports addresses relative to it. */
  private static final long TEXT_BASE = 0x400000L;

  private static final Map<String, Predicate<String>> COMPONENTS = new LinkedHashMap<>();

  static {
    COMPONENTS.put("garbage collection and allocation", f -> f.startsWith("runtime.gc") || f.startsWith("runtime.mallocgc")
        || f.startsWith("runtime.scanobject") || f.startsWith("runtime.bgsweep") || f.startsWith("runtime.markroot")
        || f.startsWith("runtime.(*mheap)"));
    COMPONENTS.put("redaction", f -> f.contains("redactionprocessor"));
    COMPONENTS.put("tail sampling", f -> f.contains("tailsamplingprocessor"));
    COMPONENTS.put("span metrics", f -> f.contains("spanmetricsconnector"));
    COMPONENTS.put("batch", f -> f.contains("batchprocessor"));
    COMPONENTS.put("memory limiter", f -> f.contains("memorylimiter"));
    COMPONENTS.put("exporters' queues on disk (file_storage, bbolt)", f -> f.contains("bbolt") || f.contains("filestorage"));
    COMPONENTS.put("exporters (OTLP gRPC and HTTP, remote write)", f -> f.contains("otlpexporter")
        || f.contains("otlphttpexporter") || f.contains("prometheusremotewrite"));
    COMPONENTS.put("OTLP receiver (gRPC, HTTP/2, decoding)", f -> f.contains("otlpreceiver")
        || f.contains("google.golang.org/grpc") || f.contains("golang.org/x/net/http2"));
  }

  private final Process perf;
  private final Path data;
  private final Path binary;

  private CollectorProfile(Process perf, Path data, Path binary) {
    this.perf = perf;
    this.data = data;
    this.binary = binary;
  }

  /** Whether {@code perf} can be run here. */
  static boolean available() {
    try {
      return new ProcessBuilder("perf", "--version").redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** Samples process {@code pid} (a Collector of {@code binary}) for {@code seconds}, 499 times a second. */
  static CollectorProfile record(long pid, Path binary, Path dir, int seconds) throws IOException {
    Path data = dir.resolve("perf.data");
    Process perf = new ProcessBuilder("perf", "record", "-F", "499", "-g", "-o", data.toString(), "-p",
        Long.toString(pid), "--", "sleep", Integer.toString(seconds)).redirectErrorStream(true)
        .redirectOutput(dir.resolve("perf.log").toFile()).start();
    return new CollectorProfile(perf, data, binary);
  }

  /** Waits for the recording to end and says where the time went, as a Markdown table. */
  String report() throws IOException, InterruptedException {
    if (!perf.waitFor(120, TimeUnit.SECONDS) || perf.exitValue() != 0) {
      return "(perf record failed: see " + data.resolveSibling("perf.log") + ")\n";
    }
    List<List<String>> samples = samples();
    TreeSet<String> addresses = new TreeSet<>();
    samples.forEach(addresses::addAll);
    Map<String, String> function = functions(addresses);
    Map<String, Integer> byComponent = new LinkedHashMap<>();
    Map<String, Integer> byLeaf = new LinkedHashMap<>();
    int kernel = 0;
    for (List<String> stack : samples) {
      List<String> frames = stack.stream().map(function::get).filter(f -> f != null).toList();
      if (stack.get(0).startsWith("ffff")) {
        kernel++;
      }
      String charged = "the rest (scheduler, system calls, ...)";
      for (var c : COMPONENTS.entrySet()) {
        if (frames.stream().anyMatch(c.getValue())) {
          charged = c.getKey();
          break;
        }
      }
      byComponent.merge(charged, 1, Integer::sum);
      if (!frames.isEmpty()) {
        byLeaf.merge(frames.get(0), 1, Integer::sum);
      }
    }
    int n = samples.size();
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "%d samples; %.0f %% of them in the kernel (system calls, and the scheduler taking the core away)%n%n", n,
        100.0 * kernel / n));
    out.append("| where | share of the Collector's CPU |\n|---|---|\n");
    byComponent.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(e -> out.append(String.format(Locale.ROOT, "| %s | %.0f %% |%n", e.getKey(), 100.0 * e.getValue() / n)));
    out.append("\n| function (leaf) | share |\n|---|---|\n");
    byLeaf.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(10)
        .forEach(e -> out.append(String.format(Locale.ROOT, "| `%s` | %.1f %% |%n", e.getKey(), 100.0 * e.getValue() / n)));
    return out.toString();
  }

  /** Each sample's stack, leaf first, as the addresses perf wrote (kernel ones begin with ffff). */
  private List<List<String>> samples() throws IOException, InterruptedException {
    Process script = new ProcessBuilder("perf", "script", "-i", data.toString(), "-F", "ip")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String text = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    script.waitFor();
    List<List<String>> samples = new ArrayList<>();
    List<String> current = new ArrayList<>();
    for (String line : text.split("\n")) {
      String address = line.trim();
      if (address.isEmpty()) {
        if (!current.isEmpty()) {
          samples.add(current);
          current = new ArrayList<>();
        }
      } else {
        current.add(address);
      }
    }
    if (!current.isEmpty()) {
      samples.add(current);
    }
    return samples;
  }

  /** The function of each user-space address, by {@code go tool addr2line} on the binary's function table. */
  private Map<String, String> functions(TreeSet<String> addresses) throws IOException, InterruptedException {
    List<String> user = addresses.stream().filter(a -> !a.startsWith("ffff")).toList();
    Path go = LoupeCollector.findGo(System.getenv());
    if (go == null) {
      throw new IllegalStateException("naming the profile's functions needs Go (go tool addr2line)");
    }
    Process addr2line = new ProcessBuilder(go.toString(), "tool", "addr2line", binary.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String input = user.stream().map(a -> "0x" + Long.toHexString(Long.parseLong(a, 16) + TEXT_BASE))
        .collect(Collectors.joining("\n", "", "\n"));
    Thread writer = new Thread(() -> {
      try (var in = addr2line.getOutputStream()) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // addr2line ended early; the answer below will be short
      }
    });
    writer.start();
    String[] answer = new String(addr2line.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n");
    addr2line.waitFor();
    writer.join();
    Map<String, String> function = new LinkedHashMap<>();
    for (int i = 0; i < user.size() && 2 * i < answer.length; i++) {
      function.put(user.get(i), answer[2 * i]);
    }
    return function;
  }
}
