package dev.loupe.sample.loadgen;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** {@code java -jar loadgen-cli.jar --shop URL --crm URL --mes URL [--rate 2] [--duration 30s] ...}. */
public final class Main {

  static final String USAGE = """
      usage: loadgen [options]
        --shop URL           Shop API base URL        (default http://127.0.0.1:8081)
        --crm URL            CRM API base URL         (default http://127.0.0.1:8082)
        --mes URL            MES API base URL         (default http://127.0.0.1:8083)
        --rate N             orders placed per second (default 2)
        --duration D         how long customers order, e.g. 30s, 2m (default 30s)
        --drain D            how long to wait for orders in flight afterwards (default 60s)
        --sellers            sellers confirm orders through the CRM (leave out if the CRM auto-confirms)
        --page-rate N        orders page views per second (default 1; 0 for none)
        --no-assign          operators only look at the orders page, they take nothing into work
      """;

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    Parsed parsed;
    try {
      parsed = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("loadgen: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    LoadGenerator.Summary summary = new LoadGenerator(parsed.client(), parsed.settings(), System.out).run();
    System.out.println("Summary: " + summary.render());
  }

  record Parsed(PipelineClient client, LoadGenerator.Settings settings) {}

  static Parsed parse(String[] args) {
    Map<String, String> values = new HashMap<>(Map.of(
        "--shop", "http://127.0.0.1:8081", "--crm", "http://127.0.0.1:8082", "--mes", "http://127.0.0.1:8083",
        "--rate", "2", "--duration", "30s", "--drain", "60s", "--page-rate", "1"));
    boolean sellers = false;
    boolean assign = true;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--sellers" -> sellers = true;
        case "--no-assign" -> assign = false;
        case "--help", "-h" -> throw new IllegalArgumentException("help requested");
        default -> {
          if (!values.containsKey(a)) {
            throw new IllegalArgumentException("unknown option " + a);
          }
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(a + " needs a value");
          }
          values.put(a, args[++i]);
        }
      }
    }
    PipelineClient client = new PipelineClient(url(values, "--shop"), url(values, "--crm"), url(values, "--mes"));
    return new Parsed(client, new LoadGenerator.Settings(number(values, "--rate"), Durations.parse(values.get("--duration")),
        Durations.parse(values.get("--drain")), sellers, number(values, "--page-rate"), assign));
  }

  private static URI url(Map<String, String> values, String option) {
    String value = values.get(option);
    if (!value.startsWith("http://") && !value.startsWith("https://")) {
      throw new IllegalArgumentException(option + " must be an http(s) URL, not '" + value + "'");
    }
    return URI.create(value);
  }

  private static double number(Map<String, String> values, String option) {
    try {
      return Double.parseDouble(values.get(option));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a number, not '" + values.get(option) + "'");
    }
  }
}
