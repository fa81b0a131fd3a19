package dev.loupe.agent.order;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;

/**
 * Puts {@code order.id} on every log record written while an order's context is current, or while its
 * thread holds a pulled message that names an order ({@link PulledInHand}).
 */
final class OrderLogProcessor implements LogRecordProcessor {

  @Override
  public void onEmit(Context context, ReadWriteLogRecord logRecord) {
    try {
      String id = OrderIds.of(context);
      if (id == null) {
        id = PulledInHand.of(context);
      }
      if (id != null) {
        logRecord.setAttribute(OrderIds.ORDER_ID, id);
      }
    } catch (RuntimeException e) {
      // the record is exported without an order id rather than not at all
    }
  }
}
