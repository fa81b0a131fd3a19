// Price calculation: is any calculation running far too long, and which orders are stuck CALCULATING?
// From the extension's in-flight operation gauge and overdue counter (failure point 6). For on-call
// after PriceCalculationOverdue and for the MES operators waiting for prices.
import { dashboard, graph, traces } from '../panels.js';
import { alertRule } from '../repository.js';
import { alertPanel } from './alerts.js';

export function build() {
  return dashboard('loupe-price-calculation', 'Price calculation',
    'Is a price calculation running far past its deadline, and which orders wait for their price? For on-call after '
    + 'PriceCalculationOverdue (failure point 6) and for the MES operators.')
    .withPanel(graph({
      title: 'Oldest calculation in flight',
      description: 'Age of the oldest price calculation still running (loupe_operation_oldest_inflight_age_seconds); the alert fires past 45 minutes.',
      queries: [{ expr: 'max by (service) (loupe_operation_oldest_inflight_age_seconds{operation="price_calculation"})', legend: '{{service}}' }],
      unit: 's',
      threshold: 2700,
    }))
    .withPanel(graph({
      title: 'Overdue calculations per hour',
      description: 'Calculations that passed their deadline (loupe_operation_overdue_total): each leaves an order CALCULATING.',
      queries: [{ expr: 'sum by (service) (rate(loupe_operation_overdue_total{operation="price_calculation"}[$__rate_interval])) * 3600', legend: '{{service}}' }],
    }))
    .withPanel(graph({
      title: 'Orders priced per minute',
      description: 'Orders through each MES stage per minute (loupe_order_stage_total from mes-api), by outcome.',
      queries: [{ expr: 'sum by (stage, outcome) (rate(loupe_order_stage_total{service="mes-api"}[$__rate_interval])) * 60', legend: '{{stage}} {{outcome}}' }],
    }))
    .withPanel(alertPanel({ rule: alertRule('PriceCalculationOverdue') }))
    .withPanel(traces({
      title: 'Overdue calculations and their orders',
      description: 'Spans marked overdue by the extension, with their order id.',
      traceql: '{ span.loupe.loss.reason = "overdue" } | select(span.order.id)',
      tableType: 'spans',
    }));
}
