package dev.loupe.drills;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.collector.CollectorUnavailableException;
import dev.loupe.collector.LoupeCollector;
import dev.loupe.sample.loadgen.Durations;
import dev.loupe.sample.stack.Stack;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code drills/run}: the stack under the agent and the extension, Loupe's monitoring around it
 * ({@link Monitoring}), steady customers ({@link CustomerLoad}); a healthy stretch in which nobody may be
 * paged, then each chosen drill of {@link Drills}: its failure switched on, its page awaited (progress
 * printed) and checked, the failure switched off, the resolve awaited. Prints the table and writes it to
 * {@code drills/target/report.md}.
 *
 * <p>A run fails on a missing page, a page with the wrong {@code failure_point}, {@code severity} or
 * runbook, a page later than its drill's target, an expected alert not resolved in time, any page no
 * running drill explains (during the healthy stretch: any page at all), or a healthy stretch in which the
 * dead man's switch heard nothing from Watchdog.
 */
public final class DrillRun {

  /** What one drill produced. */
  public record Outcome(Drill drill, Optional<Page> page, double seconds, List<String> problems, String resolved,
      List<String> alsoPaged) {
    public boolean passed() {
      return problems.isEmpty();
    }
  }

  /**
   * The whole run: each drill's outcome, the healthy stretch's, every page nobody explained, and the
   * alerts about parts the drills do not run ({@link Drills#NOT_IN_THE_DRILLS}), which fail nothing.
   */
  public record Result(List<Outcome> outcomes, List<String> healthyProblems, List<String> unexplained,
      List<String> notInTheDrills, int watchdogs, String report) {
    public boolean passed() {
      return healthyProblems.isEmpty() && unexplained.isEmpty() && outcomes.stream().allMatch(Outcome::passed);
    }
  }

  /** The command line. */
  public record Options(List<Drill> drills, Duration healthy, double rate, Duration resolveLimit, boolean direct,
      Path report) {

    static final String USAGE = """
        usage: drills/run [--point N ...] [--all] [--healthy DURATION] [options]
          --point N            run the drill of failure point N (1-9; 0 is the slow orders page); repeat for more
          --all                run all ten drills
          --healthy D          steady load for D first (e.g. 10m, 60m), paging nobody (default 1m with drills;
                               alone, only the healthy run)
          --rate R             customers' orders a second (default 2)
          --resolve-limit D    await a drill's resolve only if its target is at most D (default: always)
          --direct             Prometheus scrapes the agents, even if a Collector is available
          --report FILE        where the report goes (default drills/target/report.md)
        """;

    /**
     * Reads the command line.
     *
     * @throws IllegalArgumentException with the reason, for an unknown option, point or a bad value
     */
    public static Options parse(Path repository, String... args) {
      Set<Drill> drills = new LinkedHashSet<>();
      Duration healthy = null;
      double rate = 2;
      Duration resolveLimit = Duration.ofDays(1);
      boolean direct = false;
      Path report = repository.resolve("drills/target/report.md");
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--all" -> drills.addAll(Drills.ALL);
          case "--point" -> {
            String id = value(args, ++i, a);
            drills.add(Drills.byId(id).orElseThrow(() -> new IllegalArgumentException("no drill for point '" + id
                + "'; the points are 1-9 and 0 (the slow orders page)")));
          }
          case "--healthy" -> healthy = Durations.parse(value(args, ++i, a));
          case "--rate" -> rate = Double.parseDouble(value(args, ++i, a));
          case "--resolve-limit" -> resolveLimit = Durations.parse(value(args, ++i, a));
          case "--direct" -> direct = true;
          case "--report" -> report = Path.of(value(args, ++i, a)).toAbsolutePath();
          case "--help", "-h" -> throw new IllegalArgumentException("usage");
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (drills.isEmpty() && healthy == null) {
        throw new IllegalArgumentException("name the drills (--point N, --all) or a healthy run (--healthy D)");
      }
      if (!(rate > 0 && rate <= 20)) {
        throw new IllegalArgumentException("--rate must be above 0 and at most 20 orders a second");
      }
      List<Drill> ordered = Drills.ALL.stream().filter(drills::contains).toList();
      return new Options(ordered, healthy != null ? healthy : Duration.ofMinutes(1), rate, resolveLimit, direct, report);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }
  }

  private static final Duration PROGRESS = Duration.ofSeconds(15);
  private static final Duration QUIET_TIMEOUT = Duration.ofMinutes(25);
  /**
   * How long after a drill's expected alert resolved its scenario still explains pages: the symptoms it
   * inhibited (a service's burn rates) page when it resolves if their own windows still hold the failure.
   */
  private static final Duration CONSEQUENCES = Duration.ofMinutes(5);
  /** Alertmanager's maintenance interval (30 s) and a margin: a resolved group is gone by then. */
  private static final Duration GROUP_RELEASED = Duration.ofSeconds(45);

  private final Options options;
  private final Path repository;
  private final PrintStream out;
  /** Per drill run: when its failure went on and when its explanations stop covering pages (nanoTime). */
  private final Map<Drill, long[]> windows = new LinkedHashMap<>();

  public DrillRun(Options options, Path repository, PrintStream out) {
    this.options = options;
    this.repository = repository.toAbsolutePath().normalize();
    this.out = out;
  }

  public static void main(String[] args) {
    Path repository = Tools.repository();
    Options options;
    try {
      options = Options.parse(repository, args);
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().equals("usage")) {
        System.err.println("drills: " + e.getMessage());
      }
      System.err.print(Options.USAGE);
      System.exit(2);
      return;
    }
    try {
      Result result = new DrillRun(options, repository, System.out).run();
      System.exit(result.passed() ? 0 : 1);
    } catch (Exception e) {
      System.err.println("drills failed to run: " + e);
      e.printStackTrace();
      System.exit(3);
    }
  }

  /**
   * Runs the healthy stretch and the drills, writes the report.
   *
   * @throws IllegalStateException if the stack or the monitoring cannot be started (with the part's log)
   */
  public Result run() throws Exception {
    Path agent = repository.resolve("agent-extension/target/agent/opentelemetry-javaagent.jar");
    Path extension = repository.resolve("agent-extension/target/loupe-agent-extension.jar");
    for (Path jar : List.of(agent, extension)) {
      if (!Files.isReadable(jar)) {
        throw new IllegalStateException(jar + " is missing; build first (mvn package)");
      }
    }
    Path collector = null;
    if (!options.direct()) {
      try {
        collector = LoupeCollector.binary();
      } catch (CollectorUnavailableException e) {
        out.println("No Collector (" + e.getMessage() + "): the drills take the direct path.");
      }
    }
    Path work = repository.resolve("drills/target/run-" + ProcessHandle.current().pid());
    Files.createDirectories(work);
    out.println("Drills: " + (options.drills().isEmpty() ? "none (healthy run only)"
        : options.drills().stream().map(Drill::pointName).toList()) + "; healthy stretch " + human(options.healthy())
        + "; customers order " + options.rate() + " a second; work directory " + work);
    Monitoring monitoring = Monitoring.prepare(work.resolve("monitoring"), collector, agent, extension, repository,
        "drill", line -> out.println("[monitoring] " + line));
    Stack stack = Stack.builder(repository).workDir(work.resolve("stack")).calculation(Duration.ofMillis(500))
        .historyOrders(5_000).jvmOptions(monitoring::jvmOptions).progress(line -> out.println("[stack] " + line))
        .create();
    // Ctrl-C or a kill stops everything the run started, as its end does
    Thread stopOnExit = new Thread(() -> {
      stack.close();
      monitoring.close();
    }, "drills-stop");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    try {
      out.println("Telemetry: " + monitoring.path());
      stack.start();
      monitoring.start(stack);
      try (CustomerLoad customers = new CustomerLoad(stack.client(), options.rate(), 1)) {
        return run(monitoring, stack, customers);
      }
    } finally {
      stack.close();
      monitoring.close();
      try {
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
      } catch (IllegalStateException e) {
        // already shutting down: the hook is running or has run
      }
    }
  }

  private Result run(Monitoring monitoring, Stack stack, CustomerLoad customers) throws Exception {
    Webhook webhook = monitoring.webhook();
    long healthyStart = System.nanoTime();
    out.printf("%nHealthy stretch: %s of steady load; nobody may be paged, Watchdog must reach the dead man's switch.%n",
        human(options.healthy()));
    long healthyEnd = healthyStart + options.healthy().toNanos();
    long nextReport = System.nanoTime();
    while (System.nanoTime() < healthyEnd) {
      if (System.nanoTime() >= nextReport) {
        out.printf("  [healthy %s of %s] %s; pages %d, team messages %d, Watchdog heartbeats %d%n",
            human(Duration.ofNanos(System.nanoTime() - healthyStart)), human(options.healthy()), customers.status(),
            Page.all(webhook, "/oncall").size(), Page.all(webhook, "/team").size(), webhook.received("/deadmans").size());
        nextReport += Duration.ofSeconds(60).toNanos();
      }
      Thread.sleep(1000);
    }
    List<String> healthyProblems = new ArrayList<>();
    for (String channel : List.of("/oncall", "/team")) {
      for (Page p : Page.all(webhook, channel)) {
        if (p.firing() && p.receivedNanos() <= healthyEnd && !Drills.NOT_IN_THE_DRILLS.containsKey(p.group())) {
          healthyProblems.add("healthy stretch: " + channel + " received " + p.group() + " (failure point "
              + p.failurePoint() + "): " + p.description());
        }
      }
    }
    int watchdogs = webhook.received("/deadmans").size();
    if (watchdogs == 0) {
      healthyProblems.add("healthy stretch: Watchdog never reached the dead man's switch");
    }
    out.printf("Healthy stretch over: %s; %d problem(s); Watchdog reached the dead man's switch %d time(s).%n",
        customers.status(), healthyProblems.size(), watchdogs);
    healthyProblems.forEach(p -> out.println("  " + p));

    List<Outcome> outcomes = new ArrayList<>();
    Map<Drill, Long> offAt = new LinkedHashMap<>();
    for (Drill drill : options.drills()) {
      awaitQuiet(drill, webhook);
      out.printf("%nDrill %s: %s%n  cause: %s; expecting %s within %d s (%s)%n", drill.pointName(), drill.scenario(),
          drill.cause(), drill.expected().stream().map(e -> e.group() + " [" + e.severity() + ", failure point "
              + e.failurePoint() + "]").toList(), drill.target().toSeconds(), drill.targetWhy());
      long on = System.nanoTime();
      windows.put(drill, new long[] {on, Long.MAX_VALUE});
      drill.action().on(stack, customers);
      Outcome outcome = awaitPage(drill, on, monitoring, stack, customers);
      drill.action().off(stack, customers);
      long off = System.nanoTime();
      offAt.put(drill, off);
      windows.get(drill)[1] = off + drill.resolveWithin().toNanos();
      out.printf("  failure switched off after %d s%n", (off - on) / 1_000_000_000);
      outcomes.add(outcome);
    }

    // the resolves: every expected alert's RESOLVED message after its failure went off
    List<Outcome> finished = new ArrayList<>();
    for (Outcome o : outcomes) {
      finished.add(awaitResolve(o, offAt, webhook));
    }
    List<String> unexplained = unexplained(webhook);
    List<String> notInTheDrills = notInTheDrills(webhook);
    Result result = new Result(finished, healthyProblems, unexplained, notInTheDrills, watchdogs, "");
    String report = report(result, monitoring, customers);
    Files.createDirectories(options.report().getParent());
    Files.writeString(options.report(), report);
    out.println();
    out.println(report);
    out.println("Report written to " + options.report());
    return new Result(finished, healthyProblems, unexplained, notInTheDrills, watchdogs, report);
  }

  /**
   * Waits until no alert the drill expects is still firing from an earlier drill, and Alertmanager has
   * let go of its group, so its page will be new: Alertmanager removes a group whose alerts all resolved
   * at its next maintenance (every 30 s); an alert arriving before that joins the old group and waits
   * for its next {@code group_interval} (a minute for pages) instead of {@code group_wait} (10 s).
   */
  private void awaitQuiet(Drill drill, Webhook webhook) throws InterruptedException {
    long start = System.nanoTime();
    long nextReport = start;
    while (true) {
      List<String> busy = new ArrayList<>();
      for (Drill.Expected e : drill.expected()) {
        List<Page> group = Page.all(webhook, e.channel()).stream()
            .filter(p -> p.alertname().equals(e.alertname()) && p.service().equals(e.service())).toList();
        if (!group.isEmpty() && (group.get(group.size() - 1).firing()
            || System.nanoTime() - group.get(group.size() - 1).receivedNanos() < GROUP_RELEASED.toNanos())) {
          busy.add(e.group());
        }
      }
      if (busy.isEmpty()) {
        return;
      }
      long waited = System.nanoTime() - start;
      if (waited > QUIET_TIMEOUT.toNanos()) {
        throw new IllegalStateException("drill " + drill.pointName() + ": " + busy + " still firing after "
            + human(QUIET_TIMEOUT) + " from an earlier drill");
      }
      if (System.nanoTime() >= nextReport) {
        out.printf("Drill %s waits until %s, firing from an earlier drill, is resolved and released (%s so far)%n",
            drill.pointName(), busy, human(Duration.ofNanos(waited)));
        nextReport += Duration.ofSeconds(60).toNanos();
      }
      Thread.sleep(1000);
    }
  }

  private Outcome awaitPage(Drill drill, long on, Monitoring monitoring, Stack stack, CustomerLoad customers)
      throws Exception {
    Webhook webhook = monitoring.webhook();
    // past the target too, so a late page is reported as late, not as missing
    long deadline = on + drill.target().toNanos() + Math.max(drill.target().toNanos(), Duration.ofMinutes(2).toNanos());
    long nextReport = on + PROGRESS.toNanos();
    Map<Drill.Expected, Page> found = new LinkedHashMap<>();
    while (found.size() < drill.expected().size() && System.nanoTime() < deadline) {
      drill.action().meanwhile(stack, customers);
      for (Drill.Expected e : drill.expected()) {
        if (!found.containsKey(e)) {
          Page.all(webhook, e.channel()).stream().filter(p -> p.firing() && p.receivedNanos() >= on
              && p.alertname().equals(e.alertname()) && p.service().equals(e.service())).findFirst()
              .ifPresent(p -> found.put(e, p));
        }
      }
      if (System.nanoTime() >= nextReport) {
        out.printf("  [%3d s of %d] %s; %s%n", (System.nanoTime() - on) / 1_000_000_000, drill.target().toSeconds(),
            states(drill, monitoring.prometheus()), customers.status());
        nextReport += PROGRESS.toNanos();
      }
      Thread.sleep(500);
    }
    List<String> problems = new ArrayList<>();
    Page first = null;
    for (Drill.Expected e : drill.expected()) {
      Page p = found.get(e);
      if (p == null) {
        problems.add("no " + e.group() + " reached " + e.channel() + " within "
            + (deadline - on) / 1_000_000_000 + " s (then: " + states(drill, monitoring.prometheus()) + "; "
            + customers.status() + ")");
        continue;
      }
      if (first == null || p.receivedNanos() < first.receivedNanos()) {
        first = p;
      }
      if (!p.failurePoint().equals(e.failurePoint())) {
        problems.add(e.group() + " came with failure point " + p.failurePoint() + ", not " + e.failurePoint());
      }
      if (!p.severity().equals(e.severity())) {
        problems.add(e.group() + " came with severity " + p.severity() + ", not " + e.severity());
      }
      if (!p.runbook().endsWith("/" + e.runbook()) || !Files.isRegularFile(repository.resolve(e.runbook()))) {
        problems.add(e.group() + " names runbook " + p.runbook() + ", not an existing " + e.runbook());
      }
      double seconds = (p.receivedNanos() - on) / 1e9;
      if (seconds > drill.target().toSeconds()) {
        problems.add(String.format("%s arrived after %.0f s, later than its target of %d s", e.group(), seconds,
            drill.target().toSeconds()));
      }
    }
    double seconds = first == null ? Double.NaN : (first.receivedNanos() - on) / 1e9;
    out.println(first == null ? "  no page" : String.format("  page after %.1f s at %s: %s (failure point %s,"
        + " severity %s), runbook %s", seconds, first.channel(), first.group(), first.failurePoint(), first.severity(),
        first.runbook()));
    problems.forEach(p -> out.println("  PROBLEM: " + p));
    return new Outcome(drill, Optional.ofNullable(first), seconds, problems, "", List.of());
  }

  /** Pending or firing in Prometheus, for each expected alert: what the wait is waiting on. */
  private static String states(Drill drill, Prometheus prometheus) {
    List<String> states = new ArrayList<>();
    try {
      JsonNode alerts = prometheus.alerts();
      for (Drill.Expected e : drill.expected()) {
        String state = "inactive";
        for (JsonNode a : alerts) {
          if (a.path("labels").path("alertname").asText().equals(e.alertname())
              && a.path("labels").path("service").asText().equals(e.service())) {
            state = a.path("state").asText();
          }
        }
        states.add(e.alertname() + " " + state + " in Prometheus");
      }
    } catch (IOException e) {
      states.add("Prometheus did not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return String.join(", ", states);
  }

  private Outcome awaitResolve(Outcome o, Map<Drill, Long> offAt, Webhook webhook) throws InterruptedException {
    Drill drill = o.drill();
    long off = offAt.get(drill);
    if (drill.resolveWithin().compareTo(options.resolveLimit()) > 0) {
      return new Outcome(drill, o.page(), o.seconds(), o.problems(), "not awaited (target " + human(drill.resolveWithin())
          + " > --resolve-limit " + human(options.resolveLimit()) + ")", alsoPaged(drill, webhook));
    }
    List<String> problems = new ArrayList<>(o.problems());
    long nextReport = System.nanoTime();
    List<String> resolved = new ArrayList<>();
    long resolvedAt = 0;
    for (Drill.Expected e : drill.expected()) {
      // a later drill that raises the same alert (expects or explains it) keeps it firing: the resolve
      // then comes as long after that drill's failure ended
      Drill last = lastToRaise(e.group(), drill, offAt);
      long lastOff = offAt.get(last);
      long deadline = lastOff + drill.resolveWithin().toNanos();
      String after = last == drill ? "the failure's end"
          : "the end of drill " + last.pointName() + "'s failure, which raised it again";
      Optional<Page> done;
      while (true) {
        // a resolve that came while other drills ran counts as well, if it came in time
        done = Page.all(webhook, e.channel()).stream().filter(p -> !p.firing() && p.receivedNanos() >= off
            && p.receivedNanos() <= deadline && p.alertname().equals(e.alertname())
            && p.service().equals(e.service())).findFirst();
        if (done.isPresent() || System.nanoTime() > deadline) {
          break;
        }
        if (System.nanoTime() >= nextReport) {
          out.printf("Waiting for %s (drill %s) to resolve: %s since %s, at most %s%n", e.group(), drill.pointName(),
              human(Duration.ofNanos(System.nanoTime() - lastOff)), after, human(drill.resolveWithin()));
          nextReport += Duration.ofSeconds(60).toNanos();
        }
        Thread.sleep(1000);
      }
      if (done.isPresent()) {
        resolved.add(resolvedCell(done.get().receivedNanos(), off, drill, last, lastOff));
        resolvedAt = Math.max(resolvedAt, done.get().receivedNanos());
      } else {
        resolved.add("no");
        problems.add(e.group() + " not resolved within " + human(drill.resolveWithin()) + " of " + after);
      }
    }
    // what the alert held back (inhibited) may page once it resolves: the scenario explains it a while longer
    long[] w = windows.get(drill);
    w[1] = Math.max(w[1], resolvedAt + CONSEQUENCES.toNanos());
    return new Outcome(drill, o.page(), o.seconds(), problems, String.join("; ", resolved), alsoPaged(drill, webhook));
  }

  /**
   * The report's "resolved" cell for a resolve received at {@code at} (System.nanoTime) of an alert of
   * {@code drill}, switched off at {@code off}, which {@code last} (switched off at {@code lastOff}) may have
   * raised again: "yes, N s after off", and the seconds since {@code last}'s end when the resolve came after it.
   * A resolve that came before that end owes the later drill nothing and does not name it (the full run of
   * 2026-11-29 printed "-199 s after drill 7's failure ... ended" for one).
   */
  static String resolvedCell(long at, long off, Drill drill, Drill last, long lastOff) {
    long sinceLastOff = at - lastOff;
    String cell = String.format("yes, %.0f s after off", (at - off) / 1e9);
    if (last == drill || sinceLastOff < 0) {
      return cell;
    }
    return cell + String.format(" (%.0f s after drill %s's failure, which raised it again, ended)", sinceLastOff / 1e9,
        last.pointName());
  }

  /**
   * Of {@code drill} and the drills switched off after it ({@code offAt}: when each was), the last whose
   * failure raises {@code group} too: one that expects it or explains it. Its end is when {@code group}
   * can begin to resolve. {@code drill} itself if none after it does.
   */
  static Drill lastToRaise(String group, Drill drill, Map<Drill, Long> offAt) {
    Drill last = drill;
    for (Map.Entry<Drill, Long> other : offAt.entrySet()) {
      Drill d = other.getKey();
      boolean raises = d.explained().containsKey(group) || d.expected().stream().anyMatch(x -> x.group().equals(group));
      if (raises && other.getValue() > offAt.get(last)) {
        last = d;
      }
    }
    return last;
  }

  /**
   * The firing alerts about parts of the platform the drills do not run ({@link Drills#NOT_IN_THE_DRILLS}),
   * one line per group and channel.
   */
  private List<String> notInTheDrills(Webhook webhook) {
    Set<String> seen = new LinkedHashSet<>();
    for (String channel : List.of("/oncall", "/team")) {
      for (Page p : Page.all(webhook, channel)) {
        String why = Drills.NOT_IN_THE_DRILLS.get(p.group());
        if (p.firing() && why != null) {
          seen.add(channel + ": " + p.group() + " [" + p.severity() + "]: " + why);
        }
      }
    }
    return List.copyOf(seen);
  }

  /** The explained alerts that did arrive while the drill's window was open. */
  private List<String> alsoPaged(Drill drill, Webhook webhook) {
    long[] w = windows.get(drill);
    Set<String> also = new LinkedHashSet<>();
    for (String channel : List.of("/oncall", "/team")) {
      for (Page p : Page.all(webhook, channel)) {
        if (p.firing() && p.receivedNanos() >= w[0] && p.receivedNanos() <= w[1]
            && drill.explained().containsKey(p.group())) {
          also.add(p.group() + " (" + p.severity() + ")");
        }
      }
    }
    return List.copyOf(also);
  }

  /**
   * Every firing alert at the pager or the team channel after the healthy stretch that no drill explains.
   * An alert is explained when a drill whose window holds its arrival expects or explains its group; a
   * later message of a group already explained and not resolved since (Alertmanager resends a group
   * with every alert that joins it) is that group's continuation.
   */
  private List<String> unexplained(Webhook webhook) {
    Set<String> unexplained = new LinkedHashSet<>();
    long first = windows.values().stream().mapToLong(w -> w[0]).min().orElse(Long.MAX_VALUE);
    for (String channel : List.of("/oncall", "/team")) {
      Set<String> open = new java.util.HashSet<>();
      List<Page> pages = new ArrayList<>(Page.all(webhook, channel));
      pages.sort(java.util.Comparator.comparingLong(Page::receivedNanos));
      for (Page p : pages) {
        if (!p.firing()) {
          open.remove(p.group());
          continue;
        }
        if (p.receivedNanos() < first || open.contains(p.group()) || Drills.NOT_IN_THE_DRILLS.containsKey(p.group())) {
          continue;
        }
        boolean explained = windows.entrySet().stream().anyMatch(w -> p.receivedNanos() >= w.getValue()[0]
            && p.receivedNanos() <= w.getValue()[1] && (w.getKey().explained().containsKey(p.group())
            || w.getKey().expected().stream().anyMatch(e -> e.group().equals(p.group()))));
        if (explained) {
          open.add(p.group());
        } else {
          unexplained.add(channel + ": " + p.group() + " [" + p.severity() + ", failure point " + p.failurePoint()
              + "]: " + p.description());
        }
      }
    }
    return List.copyOf(unexplained);
  }

  private String report(Result r, Monitoring monitoring, CustomerLoad customers) {
    StringBuilder s = new StringBuilder();
    s.append("# Drill report\n\n");
    s.append("Run ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(" with `drills/run");
    s.append(options.drills().size() == Drills.ALL.size() ? " --all" : options.drills().stream()
        .map(d -> " --point " + d.id()).reduce("", String::concat));
    s.append(" --healthy ").append(human(options.healthy())).append("`: ").append(r.passed() ? "**passed**" : "**FAILED**")
        .append(".\n\n");
    s.append("Telemetry: ").append(monitoring.path()).append(". Customers: ").append(customers.status()).append(".\n\n");
    s.append("Healthy stretch of ").append(human(options.healthy())).append(": ")
        .append(r.healthyProblems().isEmpty() ? "nobody paged" : String.join("; ", r.healthyProblems()))
        .append("; Watchdog reached the dead man's switch ").append(r.watchdogs()).append(" time(s) in the whole run.\n\n");
    if (!r.outcomes().isEmpty()) {
      s.append("| point | fault | alert | severity | seconds fault→page (target) | runbook | resolved | result |\n");
      s.append("|---|---|---|---|---|---|---|---|\n");
      for (Outcome o : r.outcomes()) {
        Drill d = o.drill();
        s.append("| ").append(d.pointName()).append(" | ").append(d.cause()).append(" | ")
            .append(o.page().map(Page::group).orElse("none")).append(" | ")
            .append(o.page().map(p -> p.severity() + " (failure point " + p.failurePoint() + ")").orElse("—"))
            .append(" | ").append(Double.isNaN(o.seconds()) ? "—" : String.format("%.0f", o.seconds()))
            .append(" (").append(d.target().toSeconds()).append(") | ")
            .append(o.page().map(p -> "`" + p.runbook().substring(p.runbook().lastIndexOf('/') + 1) + "`").orElse("—"))
            .append(" | ").append(o.resolved()).append(" | ").append(o.passed() ? "passed" : "**failed**").append(" |\n");
      }
      s.append("\n");
      for (Outcome o : r.outcomes()) {
        s.append("- Point ").append(o.drill().pointName()).append(": target ").append(o.drill().target().toSeconds())
            .append(" s — ").append(o.drill().targetWhy()).append(".");
        if (!o.alsoPaged().isEmpty()) {
          s.append(" Also received, explained: ").append(String.join(", ", o.alsoPaged())).append(".");
        }
        for (String p : o.problems()) {
          s.append(" **").append(p).append("**.");
        }
        s.append("\n");
      }
      s.append("\n");
    }
    s.append(r.unexplained().isEmpty() ? "No unexplained page.\n" : "Unexplained pages:\n\n");
    r.unexplained().forEach(u -> s.append("- ").append(u).append("\n"));
    if (!r.notInTheDrills().isEmpty()) {
      s.append("\nAbout parts the drills do not run (true of this environment; they fail nothing):\n\n");
      r.notInTheDrills().forEach(u -> s.append("- ").append(u).append("\n"));
    }
    return s.toString();
  }

  /** A duration as {@code 90 s}, {@code 10m}, {@code 1h}. */
  static String human(Duration d) {
    long s = d.toSeconds();
    if (s >= 3600 && s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s >= 60 && s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + " s";
  }
}
