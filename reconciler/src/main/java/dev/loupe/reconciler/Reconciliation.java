package dev.loupe.reconciler;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * One run: the Shop DB's and the MES DB's orders read side by side, both sorted by order id, and joined
 * as they stream past (a merge join), so memory holds one fetch of each whatever the window holds. Each
 * order's last stage is the later of what the two databases know; an order still short of production
 * and older than its stage's deadline goes on the list.
 */
final class Reconciliation {

  /**
   * What a run found.
   *
   * @param checked orders placed in the window (the Shop DB's rows)
   * @param unaccounted per stage before production, how many orders are listed (zero included)
   */
  record Result(Instant at, Instant windowStart, long checked, Map<Stage, Long> unaccounted, Duration took) {
    long total() {
      return unaccounted.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Where the listed orders go, one by one, in order id order. */
  interface Sink {
    void add(UnaccountedOrder order) throws IOException;
  }

  /**
   * How much earlier than the window the MES query starts: an order is received after it was placed,
   * but by another server's clock, and one placed at the window's start must not look missing from MES.
   */
  static final Duration CLOCK_MARGIN = Duration.ofDays(1);

  private Reconciliation() {}

  /**
   * Reads both databases and hands every order past its deadline to {@code sink}.
   *
   * @param now the time ages are measured to
   * @throws SettingException naming the setting when a database cannot be reached, refuses the user, or
   *     its query fails or returns what it must not
   * @throws IOException if the sink cannot write
   */
  static Result run(Settings settings, Instant now, Sink sink) throws SettingException, IOException {
    long started = System.nanoTime();
    Instant windowStart = now.minus(settings.since());
    Map<Stage, Long> counts = new EnumMap<>(Stage.class);
    for (Stage s : Stage.values()) {
      if (s != Stage.IN_PRODUCTION) {
        counts.put(s, 0L);
      }
    }
    long checked = 0;
    try (OrderSource shop = OrderSource.shop(settings, windowStart);
        OrderSource mes = OrderSource.mes(settings, windowStart.minus(CLOCK_MARGIN))) {
      OrderSource.Row mesRow = mes.next();
      for (OrderSource.Row order = shop.next(); order != null; order = shop.next()) {
        while (mesRow != null && OrderIds.compare(mesRow.orderId(), order.orderId()) < 0) {
          mesRow = mes.next();
        }
        Stage stage = order.stage();
        if (mesRow != null && mesRow.orderId().equals(order.orderId())) {
          stage = stage.max(mesRow.stage());
        }
        checked++;
        if (stage == Stage.IN_PRODUCTION) {
          continue;
        }
        Duration age = Duration.between(order.placedAt(), now);
        if (age.compareTo(settings.deadlines().get(stage)) > 0) {
          sink.add(new UnaccountedOrder(order.orderId(), order.placedAt(), stage, age));
          counts.merge(stage, 1L, Long::sum);
        }
      }
    }
    return new Result(now, windowStart, checked, Collections.unmodifiableMap(counts),
        Duration.ofNanos(System.nanoTime() - started));
  }
}
