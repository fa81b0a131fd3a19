// Orders overview: is any order being lost or stuck right now, where (failure points 1-9 and the
// orders page), and how many. For on-call first, and for the business (the funnel, the losses).
import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, drillDown, graph, labelVariable, link, note, number, promTable, repositoryFile } from '../panels.js';
import { alertPanel, alertsOf, alertsOfGroup, alertsWithoutPointOpening } from './alerts.js';

/** The nine failure points of docs/failure-points.md, as the rows name them. */
export const FAILURE_POINTS = [
  ['1', 'Shop API: application errors, controller bugs'],
  ['2', 'Shop DB: connections, slow queries, down'],
  ['3', 'S3: down, limits, slow'],
  ['4', 'Message producer (CRM API): wrong format, routing'],
  ['5', 'Message consumer (MES API): validation, cannot keep up'],
  ['6', 'MES API: price calculation fails'],
  ['7', 'MES DB: connections, slow queries, down'],
  ['8', 'Internal front ends: client errors, front and back disagree'],
  ['9', 'The message broker goes down'],
];

const JOURNEY = 'loupe-order-journey';

/**
 * The dashboard that shows each failure point in depth, with the variables that narrow it to the point's
 * service: where on-call goes from a row's count of firing alerts.
 */
export const POINT_DASHBOARDS = {
  1: ['Shop API on Service', 'loupe-apis', 'var-service=shop-api'],
  2: ['Shop DB on Databases', 'loupe-databases', 'var-service=shop-api'],
  3: ['S3 calls on Service', 'loupe-apis', 'var-service=shop-api'],
  4: ['Lost messages on Broker', 'loupe-messaging', ''],
  5: ['Queues on Broker', 'loupe-messaging', ''],
  6: ['Price calculation', 'loupe-price-calculation', ''],
  7: ['MES DB on Databases', 'loupe-databases', 'var-service=mes-api'],
  8: ['Client errors on Service', 'loupe-apis', ''],
  9: ['RabbitMQ on Broker', 'loupe-messaging', ''],
};

/** The title of the point 8 panel FrontendErrors' dashboard_url opens (viewPanel), held to it by links.test.js. */
export const BROWSER_ERRORS = 'Browser errors by page (15 min)';

/**
 * Panels a row shows beside its alerts' expressions, which show series only while their condition holds: what
 * an alert of that point counts, at every value. Not narrowed by `$service`, whose values are the order
 * services; the front ends (`shop-web`, `mes-web`) are services of their own.
 */
const ALWAYS_SHOWN = {
  8: [() => graph({
    title: BROWSER_ERRORS,
    description: 'Errors the browsers reported on each page of the front ends in the last 15 minutes (script errors, '
      + 'unhandled rejections, failed calls to the API: service_page:browser_errors:increase15m), what FrontendErrors '
      + 'counts; it fires from 5 errors that are more than 5 % of the page\'s loads.',
    queries: [{ expr: 'service_page:browser_errors:increase15m', legend: '{{service}} {{app_screen_name}}' }],
    links: [link('Runbook: FrontendErrors', repositoryFile('alert-rules/runbooks/FrontendErrors.md'))],
  })],
};

function firing(point) {
  const [title, uid, query] = POINT_DASHBOARDS[point];
  return number({
    title: `Firing at point ${point}`,
    description: `Alerts of failure point ${point} firing now (Prometheus's ALERTS series; 0 when none).`,
    expr: `count(ALERTS{alertstate="firing", failure_point="${point}"}) or vector(0)`,
    threshold: 1,
    width: 4,
    links: [drillDown(title, uid, query), link('The nine failure points', repositoryFile('docs/failure-points.md'))],
  });
}

export function build() {
  const d = dashboard('loupe-orders', 'Orders overview',
    'Is any order being lost or stuck now, at which of the nine failure points, and how many? For on-call '
    + '(every row shows what its alerts evaluate) and for the business (the funnel and the lost orders).')
    .withVariable(labelVariable('service', 'loupe_order_stage_total'))
    .withRow(new RowBuilder('Orders: the funnel and the losses'))
    .withPanel(note('Each order passes the stages of `loupe_order_stage_total`; a loss sentinel of the agent '
      + 'extension counts every order message lost on the way (`loupe_messages_lost_total`) and every error '
      + 'swallowed behind a success (`loupe_exceptions_swallowed_total`). To follow one order, open '
      + `[Order journey](/d/${JOURNEY}) with its id; the list of lost orders comes from the reconciler.`))
    .withPanel(promTable({
      title: 'Order funnel',
      description: 'Orders that reached each stage in the time range, by outcome (loupe_order_stage_total).',
      expr: 'sum by (stage, outcome) (increase(loupe_order_stage_total{service=~"$service"}[$__range]))',
      links: [drillDown('Order journey', JOURNEY)],
    }))
    .withPanel(graph({
      title: 'Orders per minute by stage and outcome',
      description: 'The funnel over time: a stage whose success rate falls behind the one before it is where orders stop.',
      queries: [{ expr: 'sum by (stage, outcome) (rate(loupe_order_stage_total{service=~"$service"}[$__rate_interval])) * 60',
        legend: '{{stage}} {{outcome}}' }],
      unit: 'short',
      links: [drillDown('Order journey', JOURNEY), link('Runbook: OrdersStuckBeforeMes',
        repositoryFile('alert-rules/runbooks/OrdersStuckBeforeMes.md'))],
    }))
    .withPanel(promTable({
      title: 'Lost order messages by reason and destination',
      description: 'Order messages lost in the time range (loupe_messages_lost_total): each is an order that will never be made. '
        + 'The order ids are on the spans with loupe.loss.reason; open Order journey with one.',
      expr: 'sum by (service, reason, messaging_destination_name) (increase(loupe_messages_lost_total{service=~"$service"}[$__range]))',
      links: [drillDown('Order journey', JOURNEY)],
    }))
    .withPanel(promTable({
      title: 'Errors swallowed behind a success, by route',
      description: 'Requests that logged an error and still answered 2xx (loupe_exceptions_swallowed_total): the caller believes the order is safe.',
      expr: 'sum by (service, http_route, exception_type) (increase(loupe_exceptions_swallowed_total{service=~"$service"}[$__range]))',
      links: [drillDown('Order journey', JOURNEY)],
    }));

  // the reconciler's list: orders that stopped at a stage past its deadline, including those no sentinel saw
  for (const alert of alertsWithoutPointOpening('loupe-orders')) {
    d.withPanel(alertPanel(alert));
  }

  for (const [point, title] of FAILURE_POINTS) {
    const row = new RowBuilder(`${point}. ${title}`);
    d.withRow(row).withPanel(firing(point));
    for (const panel of ALWAYS_SHOWN[point] ?? []) {
      d.withPanel(panel());
    }
    for (const alert of alertsOf(point)) {
      d.withPanel(alertPanel(alert, alert.service ? '$service' : undefined));
    }
  }

  d.withRow(new RowBuilder('The orders page (MES)'))
    .withPanel(number({
      title: 'Orders page p95',
      description: 'How long 95 % of the operators\' orders page loads took over the last 15 minutes; the goal is 2 s.',
      expr: 'histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{service="mes-api", http_route="/api/orders"}[15m])))',
      unit: 's',
      threshold: 2,
      links: [drillDown('The orders page on Service', 'loupe-apis', 'var-service=mes-api&var-route=%2Fapi%2Forders')],
    }));
  for (const alert of alertsOfGroup('loupe-orders-page.alerts')) {
    d.withPanel(alertPanel(alert));
  }
  return d;
}
