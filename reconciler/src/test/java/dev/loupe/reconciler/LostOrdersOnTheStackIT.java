package dev.loupe.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.loadgen.LoadGenerator;
import dev.loupe.sample.loadgen.OrderRequest;
import dev.loupe.sample.loadgen.PipelineClient;
import dev.loupe.sample.stack.Eventually;
import dev.loupe.sample.stack.Service;
import dev.loupe.sample.stack.Stack;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The proof on the real stack: the three services, the Shop DB, the MES DB, the broker and S3, under the
 * load generator's customers, sellers and operators, with every fault that loses or strands orders in
 * turn — an unroutable publish, a payload MES cannot parse, US ring sizes the shop accepts and MES cannot
 * read, a rejecting consumer, a consumer crashing after its ack, a crashing and a
 * hanging price calculation, a broker outage, a MES DB outage, and sellers who never confirm — between
 * stretches of healthy orders. Then {@code reconciler/run} reads both databases as the read-only role,
 * and its list must be exactly the orders the load generator knows are still in flight (lost or
 * stranded): none missing, no healthy order listed, each at the stage the customer last saw it reach,
 * which for every fault is the stage that fault leaves orders at.
 */
class LostOrdersOnTheStackIT {

  private static final Duration WAIT = Duration.ofSeconds(90);

  /** What the load generator knows: order id → where the shop last showed it, and in which stretch it was placed. */
  private final Map<String, String> strandedStatus = new TreeMap<>();
  private final Map<String, String> placedDuring = new TreeMap<>();
  private int completed;

  @Test
  void theListIsExactlyTheOrdersTheLoadGeneratorKnowsWereLostOrStrandedEachAtItsLastStage() throws Exception {
    Path repository = Databases.repository();
    Path work = repository.resolve("reconciler/target/stack-" + ProcessHandle.current().pid());
    try (Stack stack = Stack.builder(repository).workDir(work).calculation(Duration.ofMillis(500)).autoConfirm(false)
        .historyOrders(1_000).progress(line -> System.out.println("[stack] " + line)).start()) {

      healthy(stack, "healthy");
      withFault(stack, Fault.CRM_UNROUTABLE, "CONFIRMED", null);
      // MES rejects the key=value text as "not JSON", a log line that names no order
      withFault(stack, Fault.CRM_MALFORMED_PAYLOAD, "CONFIRMED", null);
      usRingSizes(stack);
      withFault(stack, Fault.MES_CONSUMER_REJECT, "CONFIRMED", id -> "order " + id + " has no customerSegment");
      withFault(stack, Fault.MES_CONSUMER_CRASH, "CONFIRMED", id -> "order mapper failed for order " + id);
      withFault(stack, Fault.MES_CALCULATION_CRASH, "CALCULATING", id -> "Price calculation for order " + id + " failed");
      healthy(stack, "healthy again");

      stack.broker().stop();
      try {
        strand(stack, "broker outage", true, Set.of("CONFIRMED"), null);
      } finally {
        stack.broker().start();
      }
      healthy(stack, "after the broker outage");

      stack.mesDbServer().stop();
      try {
        strand(stack, "MES DB outage", true, Set.of("CONFIRMED"), id -> "could not store order " + id);
      } finally {
        stack.mesDbServer().start();
      }
      healthy(stack, "after the MES DB outage");

      strand(stack, "no seller confirms", false, Set.of("AWAITING_CONFIRMATION"), null);
      // left on: switched off, the hanging calculations would carry on and the orders would be priced
      stack.fault(Fault.MES_CALCULATION_HANG, true);
      strand(stack, Fault.MES_CALCULATION_HANG.id(), true, Set.of("RECEIVED", "CALCULATING"), null);

      assertThat(completed).as("healthy orders completed beside the lost ones").isGreaterThan(10);
      Map<String, String> listed = reconcile(stack, work.resolve("lost-orders"));

      Map<String, String> expected = new TreeMap<>();
      strandedStatus.forEach((id, status) -> expected.put(id, stageSeenAtTheShop(status).label()));
      System.out.println("Lost or stranded, as the load generator knows them: " + expected.size() + " of "
          + (expected.size() + completed) + " orders");
      assertThat(listed).as("the reconciler's list against the load generator's (order id → last stage);"
          + " placed during: " + placedDuring).isEqualTo(expected);
    }
  }

  /**
   * {@code shop-lenient-ring-size}: the load generator's customers order in EU sizes, which MES reads, so
   * they complete beside it; customers of the new front end order in US sizes, which the shop now accepts
   * and MES rejects. Those orders are placed and confirmed here, and each must be confirmed at the shop
   * and rejected by MES for its ring size before the fault ends.
   */
  private void usRingSizes(Stack stack) throws Exception {
    String stretch = Fault.SHOP_LENIENT_RING_SIZE.id();
    stack.fault(Fault.SHOP_LENIENT_RING_SIZE, true);
    try {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        PipelineClient.Placement placed = stack.client().placeOrder(OrderRequest.typical().withRingSize("7 US"));
        assertThat(placed.accepted()).as(stretch + ": the shop accepts a US size: " + placed.body()).isTrue();
        ids.add(placed.orderId());
      }
      for (String id : ids) {
        Eventually.await("order " + id + " on the sellers' desk", WAIT,
            () -> stack.client().awaitingConfirmation().contains(id) ? Optional.of(id) : Optional.empty());
        assertThat(stack.client().confirm(id)).as("a seller confirms " + id).isEqualTo(200);
      }
      healthy(stack, stretch + " (EU sizes)");
      for (String id : ids) {
        Eventually.await("mes-api to reject " + id + " for its ring size", WAIT, () -> Files.readAllLines(
            stack.log(Service.MES)).stream().filter(l -> l.contains("order " + id + " has ring size '7 US'")).findFirst());
        String status = stack.client().shopOrder(id).map(o -> o.path("status").asText()).orElse("NOT_IN_SHOP");
        assertThat(status).as(stretch + ": order " + id + " at the shop").isEqualTo("CONFIRMED");
        strandedStatus.put(id, status);
        placedDuring.put(id, stretch);
      }
    } finally {
      stack.fault(Fault.SHOP_LENIENT_RING_SIZE, false);
    }
  }

  /** A stretch of healthy orders; its losses, if a service is still recovering, are known like any other. */
  private void healthy(Stack stack, String stretch) throws Exception {
    LoadGenerator.Summary s = load(stack, stretch, true, Duration.ofSeconds(20));
    completed += s.completed();
    record(stretch, s);
  }

  private void withFault(Stack stack, Fault fault, String status, java.util.function.Function<String, String> mesLog)
      throws Exception {
    stack.fault(fault, true);
    try {
      strand(stack, fault.id(), true, Set.of(status), mesLog);
    } finally {
      stack.fault(fault, false);
    }
  }

  /**
   * A stretch of orders under a fault: every order placed must be stranded where the fault leaves it
   * ({@code statuses} at the shop), and, where MES logs the loss, MES must have logged it for each before
   * the fault ends.
   */
  private void strand(Stack stack, String stretch, boolean sellersConfirm, Set<String> statuses,
      java.util.function.Function<String, String> mesLog) throws Exception {
    LoadGenerator.Summary s = load(stack, stretch, sellersConfirm, Duration.ofSeconds(6));
    assertThat(s.placed()).as(stretch + ": orders placed").isPositive();
    assertThat(s.inFlightOrders()).as(stretch + ": every order placed is stranded where the fault leaves it")
        .hasSize(s.placed()).allSatisfy((id, status) -> assertThat(status).isIn(statuses));
    if (mesLog != null) {
      for (String id : s.inFlightOrders().keySet()) {
        String line = mesLog.apply(id);
        Eventually.await("mes-api to log '" + line + "'", WAIT, () -> Files.readAllLines(stack.log(Service.MES))
            .stream().filter(l -> l.contains(line)).findFirst());
      }
    }
    record(stretch, s);
  }

  private static LoadGenerator.Summary load(Stack stack, String stretch, boolean sellersConfirm, Duration drain)
      throws InterruptedException {
    System.out.println("--- " + stretch);
    PrintStream progress = new PrintStream(System.out, true, StandardCharsets.UTF_8) {
      @Override
      public PrintStream printf(String format, Object... args) {
        return super.printf("[" + stretch + "] " + format, args);
      }
    };
    LoadGenerator.Summary s = new LoadGenerator(stack.client(), new LoadGenerator.Settings(1.5, Duration.ofSeconds(3),
        drain, sellersConfirm, 1, true), progress).run();
    System.out.println("[" + stretch + "] " + s.render());
    return s;
  }

  private void record(String stretch, LoadGenerator.Summary s) {
    s.inFlightOrders().forEach((id, status) -> {
      strandedStatus.put(id, status);
      placedDuring.put(id, stretch);
    });
  }

  /** Where the shop's status puts an order: what the customer (and the load generator) saw it reach. */
  private static Stage stageSeenAtTheShop(String status) {
    return switch (status) {
      case "NEW", "AWAITING_CONFIRMATION" -> Stage.SHOP_ACCEPTED;
      case "CONFIRMED" -> Stage.CRM_CONFIRMED;
      case "RECEIVED", "CALCULATING", "MODEL_REJECTED" -> Stage.MES_RECEIVED;
      default -> throw new AssertionError("the load generator left an order " + status + ", which names no stage");
    };
  }

  /**
   * Runs {@code reconciler/run --once} as an operator would, as the read-only role, with deadlines of a
   * second for every stage but priced (the load generator's operators leave priced orders waiting).
   *
   * @return order id → last stage, from the CSV
   */
  private static Map<String, String> reconcile(Stack stack, Path output) throws Exception {
    String shopUrl = url(stack.shopDb());
    String mesUrl = url(stack.mesDb());
    Databases.grantReader(stack.shopDbServer(), database(shopUrl), stack.mesDbServer(), database(mesUrl));
    List<String> command = new ArrayList<>(List.of(Databases.repository().resolve("reconciler/run").toString(),
        "--once", "--since", "1h", "--output", output.toString()));
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("shop-db.url", shopUrl);
    settings.put("mes-db.url", mesUrl);
    settings.put("deadline.shop-accepted", "1s");
    settings.put("deadline.crm-confirmed", "1s");
    settings.put("deadline.mes-received", "1s");
    settings.put("deadline.priced", "1h");
    settings.forEach((k, v) -> command.addAll(List.of("--set", k + "=" + v)));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("LOUPE_RECONCILER_SHOP_DB_PASSWORD", Databases.READER_PASSWORD);
    pb.environment().put("LOUPE_RECONCILER_MES_DB_PASSWORD", Databases.READER_PASSWORD);
    Process p = pb.start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    System.out.println(printed);
    assertThat(p.exitValue()).as(printed).isZero();
    Map<String, String> listed = new TreeMap<>();
    List<String> csv = Files.readAllLines(output.resolve("lost-orders.csv"));
    for (String line : csv.subList(1, csv.size())) {
      String[] f = line.split(",");
      assertThat(listed.put(f[0], f[2])).as("order " + f[0] + " listed once").isNull();
    }
    return listed;
  }

  private static String url(Connection c) throws Exception {
    try (c) {
      return c.getMetaData().getURL();
    }
  }

  private static String database(String jdbcUrl) {
    String path = jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1);
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

}
