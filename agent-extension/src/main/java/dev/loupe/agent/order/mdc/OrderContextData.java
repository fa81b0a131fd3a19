package dev.loupe.agent.order.mdc;

import dev.loupe.agent.Guard;
import io.opentelemetry.context.Context;
import java.util.Collections;
import java.util.Map;
import org.apache.logging.log4j.core.util.ContextDataProvider;

/**
 * Runs inside the application's class loader: Log4j2's context data provider (its public SPI, the one
 * the agent's {@code trace_id} uses), asked for each event on the thread that logs it, so
 * {@code %X{order_id}} and JSON layouts carry the order id, through asynchronous loggers and appenders
 * too. Log4j 2.13.2 and later have the SPI.
 */
public final class OrderContextData implements ContextDataProvider {

  private static final Guard guard = Guard.named("order id in the Log4j2 context data");

  @Override
  public Map<String, String> supplyContextData() {
    try {
      if (guard.on()) {
        String id = ContextOrder.forLog(Context.current());
        if (id != null) {
          return Collections.singletonMap(OrderMdc.KEY, id);
        }
      }
    } catch (Throwable e) {
      guard.failed(e);
    }
    return Collections.emptyMap();
  }
}
