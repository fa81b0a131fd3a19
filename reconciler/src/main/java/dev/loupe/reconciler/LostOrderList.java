package dev.loupe.reconciler;

import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The outputs of one run, written beside the final files under temporary names and moved into place
 * only when the run completed: the CSV first, then the summary, then the metrics file whose timestamp
 * says a complete list exists. A failed run, including one whose later move fails after an earlier one
 * succeeded, leaves the previous complete outputs in place and its own temporary files removed, so a
 * partial list is never presented as complete (see {@link #complete}).
 */
final class LostOrderList implements Reconciliation.Sink, AutoCloseable {

  static final String CSV = "lost-orders.csv";
  static final String SUMMARY = "lost-orders.md";
  static final String METRICS = "loupe-reconciler.prom";
  /** How many of the oldest orders the summary lists; the CSV has them all. */
  static final int OLDEST_SHOWN = 50;
  static final String CSV_HEADER = "order_id,placed_at,last_stage,age_hours,journey_url";

  private final Settings settings;
  private final Path dir;
  private final Path csvTemp;
  private final BufferedWriter csv;
  private final Map<Stage, Instant> oldestByStage = new EnumMap<>(Stage.class);
  /** The oldest orders so far, newest at the head so it is the one dropped: bounded memory. */
  private final PriorityQueue<UnaccountedOrder> oldest =
      new PriorityQueue<>(Comparator.comparing(UnaccountedOrder::placedAt).reversed());
  private final List<Path> temps = new ArrayList<>();

  /**
   * Opens the CSV's temporary file in the output directory (created if missing).
   *
   * @throws IOException if the directory cannot be created or written
   */
  LostOrderList(Settings settings) throws IOException {
    this.settings = settings;
    this.dir = settings.output().toAbsolutePath();
    Files.createDirectories(dir);
    this.csvTemp = temp(CSV);
    this.csv = Files.newBufferedWriter(csvTemp, StandardCharsets.UTF_8);
    csv.write(CSV_HEADER);
    csv.write("\r\n");
  }

  private Path temp(String name) throws IOException {
    Path p = Files.createTempFile(dir, "." + name + ".", ".part");
    temps.add(p);
    return p;
  }

  @Override
  public void add(UnaccountedOrder order) throws IOException {
    csv.write(field(order.orderId()));
    csv.write(',');
    csv.write(order.placedAt().truncatedTo(ChronoUnit.SECONDS).toString());
    csv.write(',');
    csv.write(field(order.lastStage().label()));
    csv.write(',');
    csv.write(hours(order.age()));
    csv.write(',');
    csv.write(field(journeyUrl(order.orderId())));
    csv.write("\r\n");
    oldestByStage.merge(order.lastStage(), order.placedAt(), (a, b) -> a.isBefore(b) ? a : b);
    oldest.add(order);
    if (oldest.size() > OLDEST_SHOWN) {
      oldest.poll();
    }
  }

  /** The order journey dashboard's link for one order. */
  String journeyUrl(String orderId) {
    return settings.journeyUrl().replace("{order_id}", URLEncoder.encode(orderId, StandardCharsets.UTF_8));
  }

  /**
   * Writes the summary and the metrics file and moves all three into place as a set: the CSV, then the
   * summary, then the metrics file (the sign of a complete run). Each move is an atomic rename; before
   * them, each previous file is kept under a hard link, so that when a later move fails the files
   * already moved are put back (or removed, where there was none before) and a new CSV never stays beside
   * an old summary. Between two renames, microseconds apart, a reader can still see a new CSV beside the
   * old summary: a reader that needs the set reads the metrics file's timestamp before and after.
   *
   * @throws IOException if any of them cannot be written or moved; the previous files are then in place
   *     again (if putting one back fails too, that failure is attached as suppressed)
   */
  void complete(Reconciliation.Result result, ReconcilerMetrics metrics) throws IOException {
    csv.close();
    Path summary = temp(SUMMARY);
    Files.writeString(summary, summary(result), StandardCharsets.UTF_8);
    Path prom = temp(METRICS);
    Files.writeString(prom, metrics.exposition(), StandardCharsets.UTF_8);
    Map<String, Path> previous = new LinkedHashMap<>();
    for (String name : List.of(CSV, SUMMARY, METRICS)) {
      previous.put(name, keep(name));
    }
    List<String> moved = new ArrayList<>();
    try {
      move(csvTemp, CSV);
      moved.add(CSV);
      move(summary, SUMMARY);
      moved.add(SUMMARY);
      move(prom, METRICS);
      moved.add(METRICS);
    } catch (IOException e) {
      for (String name : moved) {
        try {
          Path kept = previous.get(name);
          if (kept == null) {
            Files.delete(dir.resolve(name));
          } else {
            rename(kept, dir.resolve(name));
            temps.remove(kept);
          }
        } catch (IOException restore) {
          e.addSuppressed(restore);
        }
      }
      throw e;
    }
  }

  /** A hard link to the previous file of that name (a copy where links are not supported), or null. */
  private Path keep(String name) throws IOException {
    Path file = dir.resolve(name);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    Path kept = temp(name + ".previous");
    Files.delete(kept);
    try {
      Files.createLink(kept, file);
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(file, kept);
    }
    return kept;
  }

  private void move(Path temp, String name) throws IOException {
    rename(temp, dir.resolve(name));
    temps.remove(temp);
  }

  private static void rename(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  String summary(Reconciliation.Result result) {
    StringBuilder md = new StringBuilder();
    md.append("# Orders not where they should be\n\n");
    md.append("Run at ").append(result.at().truncatedTo(ChronoUnit.SECONDS)).append(" over the orders placed since ")
        .append(result.windowStart().truncatedTo(ChronoUnit.SECONDS)).append(": ").append(result.checked())
        .append(" orders checked, ").append(result.total()).append(" not where they should be by now. Every one of")
        .append(" them is in `").append(CSV).append("`, by order id; find the customer by order id in the CRM.\n\n");
    md.append("| last stage | orders | listed when older than | oldest placed |\n|---|---:|---|---|\n");
    for (Map.Entry<Stage, Long> e : result.unaccounted().entrySet()) {
      Instant oldestPlaced = oldestByStage.get(e.getKey());
      md.append("| ").append(e.getKey().label()).append(" | ").append(e.getValue()).append(" | ")
          .append(Settings.deadlineSetting(e.getKey()) == null ? "" : human(settings.deadlines().get(e.getKey())))
          .append(" | ").append(oldestPlaced == null ? "—" : oldestPlaced.truncatedTo(ChronoUnit.SECONDS))
          .append(" |\n");
    }
    List<UnaccountedOrder> shown = new ArrayList<>(oldest);
    shown.sort(Comparator.comparing(UnaccountedOrder::placedAt).thenComparing(UnaccountedOrder::orderId));
    if (!shown.isEmpty()) {
      md.append("\n## Oldest first").append(result.total() > shown.size() ? " (the " + shown.size() + " oldest)" : "")
          .append("\n\n| order | placed at | last stage | age | journey |\n|---|---|---|---|---|\n");
      for (UnaccountedOrder o : shown) {
        md.append("| ").append(o.orderId().replace("|", "\\|")).append(" | ")
            .append(o.placedAt().truncatedTo(ChronoUnit.SECONDS)).append(" | ").append(o.lastStage().label())
            .append(" | ").append(human(o.age())).append(" | [journey](").append(journeyUrl(o.orderId()))
            .append(") |\n");
      }
    }
    return md.toString();
  }

  /** Hours with two decimals, for a spreadsheet to sort and sum. */
  static String hours(Duration age) {
    return String.format(Locale.ROOT, "%.2f", age.toMillis() / 3_600_000.0);
  }

  /** "3d 4h", "2h 5m", "40s": for people. */
  static String human(Duration d) {
    long s = d.toSeconds();
    if (s >= 86_400) {
      return (s / 86_400) + "d " + (s % 86_400 / 3600) + "h";
    }
    if (s >= 3600) {
      return (s / 3600) + "h " + (s % 3600 / 60) + "m";
    }
    if (s >= 60) {
      return (s / 60) + "m " + (s % 60) + "s";
    }
    return s + "s";
  }

  /** A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
  static String field(String value) {
    if (value.chars().anyMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r')) {
      return '"' + value.replace("\"", "\"\"") + '"';
    }
    return value;
  }

  /** Removes what a failed run left; the previous complete outputs stay. */
  @Override
  public void close() {
    try {
      csv.close();
    } catch (IOException e) {
      // the temporary file is removed below either way
    }
    for (Path p : temps) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // a stray .part file is never taken for a list
      }
    }
  }
}
