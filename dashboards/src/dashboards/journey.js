// Order journey: what happened to one order? Its traces in Tempo, its log lines in Loki and the loss
// events that name it. For on-call and operators holding an order id (from a customer, the reconciler's
// list or a loss span). Metrics never carry order ids (docs/label-contract.md), so nothing here is PromQL.
import { dashboard, logLines, note, textVariable, traces } from '../panels.js';

/** The services whose log lines carry order_id (the agent extension puts it in the MDC). */
const SERVICES = 'shop-api|crm-api|mes-api';

export function build() {
  return dashboard('loupe-order-journey', 'Order journey',
    'What happened to one order, by its id: every trace that touched it, its log lines across the three '
    + 'services, and where it was lost if it was. For on-call and operators holding an order id.')
    .withVariable(textVariable('order_id', 'Order id', 'The order id, e.g. JW-000001'))
    .withPanel(note('Type an order id above (the shop\'s `JW-…`, one of the lost orders below, or one of the '
      + 'reconciler\'s list). The agent extension puts it on every span (`order.id`), in baggage across services '
      + 'and the broker, and on every log line (`order_id`). The loss alerts link here (`order_journey_url`): '
      + 'no alert can name the order, as metrics never carry order ids.', 24, 3))
    .withPanel(traces({
      title: 'Orders lost in the time range',
      description: 'Every span a loss sentinel marked in the time range (loupe.loss.reason), with its order id: '
        + 'the orders a loss alert counted. Type one into Order id to follow it.',
      traceql: '{ span.loupe.loss.reason != nil } | select(span.order.id, span.loupe.loss.reason, span.messaging.destination.name)',
      tableType: 'spans',
      limit: 100,
    }))
    .withPanel(traces({
      title: 'Traces of the order',
      description: 'Every trace with a span of this order (TraceQL on span.order.id), newest first.',
      traceql: '{ span.order.id = "$order_id" }',
    }))
    .withPanel(traces({
      title: 'Where the order was lost',
      description: 'The spans of this order that a loss sentinel marked (loupe.loss.reason: unroutable, publish_nacked, '
        + 'rejected, consumer_failed, swallowed_exception, overdue), with the reason.',
      traceql: '{ span.order.id = "$order_id" && span.loupe.loss.reason != nil } | select(span.loupe.loss.reason, span.messaging.destination.name)',
      tableType: 'spans',
    }))
    .withPanel(logLines({
      title: 'Log lines of the order',
      description: 'Every log line of the three services with this order_id, oldest first; a line opens its trace (trace_id).',
      logql: `{service_name=~"${SERVICES}"} | order_id = "$order_id"`,
    }))
    .withPanel(logLines({
      title: 'Loss events in the logs',
      description: 'The log records a loss sentinel wrote for this order (loupe.loss.reason, as Loki\'s structured metadata loupe_loss_reason).',
      logql: `{service_name=~"${SERVICES}"} | order_id = "$order_id" | loupe_loss_reason != ""`,
    }));
}
