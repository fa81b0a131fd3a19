package dev.loupe.demo;

import dev.loupe.sample.faults.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The demo's command line. */
record DemoOptions(double rate, Duration duration, Duration drain, Duration calculation, List<Fault> faults,
    boolean privateServices, boolean listFaults, boolean collector) {

  static final String USAGE = """
      usage: ./demo [options]
        --rate N             orders per second (default 2)
        --duration D         how long customers keep ordering, e.g. 20s, 2m (default 20s)
        --drain D            how long to wait afterwards for orders in flight (default 30s)
        --calculation D      how long MES takes to price one order (default 1s)
        --fault ID           switch a fault on for the run; repeat for several (see --list-faults)
        --private-services   start private PostgreSQL and RabbitMQ even if the machine runs its own
        --no-collector       no gateway Collector (by default it is built the first time, about 8 minutes):
                             Prometheus scrapes the agents, and no trace names the lost orders
        --list-faults        print every fault the sample apps can simulate, and exit
      """;

  static DemoOptions parse(String... args) {
    double rate = 2;
    Duration duration = Duration.ofSeconds(20);
    Duration drain = Duration.ofSeconds(30);
    Duration calculation = Duration.ofSeconds(1);
    List<Fault> faults = new ArrayList<>();
    boolean privateServices = false;
    boolean listFaults = false;
    boolean collector = true;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--private-services" -> privateServices = true;
        case "--help", "-h" -> throw new IllegalArgumentException("usage");
        case "--list-faults" -> listFaults = true;
        case "--no-collector" -> collector = false;
        case "--rate" -> rate = number(a, value(args, ++i, a));
        case "--duration" -> duration = duration(a, value(args, ++i, a));
        case "--drain" -> drain = duration(a, value(args, ++i, a));
        case "--calculation" -> calculation = duration(a, value(args, ++i, a));
        case "--fault" -> {
          String id = value(args, ++i, a);
          faults.add(Fault.byId(id).orElseThrow(() -> new IllegalArgumentException("unknown fault '" + id
              + "'; known: " + java.util.Arrays.stream(Fault.values()).map(Fault::id).collect(Collectors.joining(", ")))));
        }
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (!(rate > 0 && rate <= 50)) {
      throw new IllegalArgumentException("--rate must be above 0 and at most 50 orders per second");
    }
    return new DemoOptions(rate, duration, drain, calculation, List.copyOf(faults), privateServices, listFaults,
        collector);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static double number(String option, String text) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a number, not '" + text + "'");
    }
  }

  private static Duration duration(String option, String text) {
    try {
      Duration d = dev.loupe.sample.loadgen.Durations.parse(text);
      if (d.isNegative() || d.isZero() && !option.equals("--drain")) {
        throw new IllegalArgumentException(option + " must be positive");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage());
    }
  }
}
