// Service: how is each API doing, route by route? Rate, errors and duration (RED) from the agent's
// http.server.request.duration, with exemplars that open the trace of a slow request. For on-call
// following an SLO page, and for the developers of the three services.
import { dashboard, graph, labelVariable } from '../panels.js';
import { alertPanel } from './alerts.js';
import { alertRule } from '../repository.js';

const SELECTOR = 'service=~"$service", http_route=~"$route"';

/**
 * The share of requests per service and route whose status matches, 0 for routes without any: a route
 * that has never failed shows 0 %, not an empty panel.
 */
function share(status) {
  const all = `sum by (service, http_route) (rate(http_server_request_duration_seconds_count{${SELECTOR}}[$__rate_interval]))`;
  const matching = `sum by (service, http_route) (rate(http_server_request_duration_seconds_count{${SELECTOR}, http_response_status_code=~"${status}"}[$__rate_interval]))`;
  return { expr: `(\n  ${matching}\n  or\n  0 * ${all}\n)\n/\n${all}`, legend: '{{service}} {{http_route}}' };
}

function quantile(q) {
  return {
    expr: `histogram_quantile(${q}, sum by (le, service, http_route) (rate(http_server_request_duration_seconds_bucket{${SELECTOR}}[$__rate_interval])))`,
    legend: `p${Math.round(q * 100)} {{service}} {{http_route}}`,
    exemplar: true,
  };
}

export function build() {
  return dashboard('loupe-apis', 'Service',
    'How is each API doing, route by route: requests per second, the share that fail, and how long they take '
    + '(p50, p95, p99; a dot is an exemplar that opens its trace). For on-call after an SLO page and for the '
    + 'services\' developers.')
    .withVariable(labelVariable('service', 'http_server_request_duration_seconds_count'))
    .withVariable(labelVariable('route', 'http_server_request_duration_seconds_count{service=~"$service"}', 'http_route'))
    .withPanel(graph({
      title: 'Requests per second',
      description: 'Requests by service and route (http_server_request_duration_seconds_count).',
      queries: [{ expr: `sum by (service, http_route) (rate(http_server_request_duration_seconds_count{${SELECTOR}}[$__rate_interval]))`,
        legend: '{{service}} {{http_route}}' }],
      unit: 'reqps',
    }))
    .withPanel(graph({
      title: 'Errors: share of requests answered 5xx',
      description: 'Server errors per route; the availability objective allows 0.5 %.',
      queries: [share('5..')],
      unit: 'percentunit',
      threshold: 0.005,
    }))
    .withPanel(graph({
      title: 'Duration p50, p95, p99',
      description: 'Request duration quantiles per route from the histogram; exemplars (dots) open the trace in Tempo.',
      queries: [quantile(0.5), quantile(0.95), quantile(0.99)],
      unit: 's',
      width: 24,
    }))
    .withPanel(graph({
      title: 'Client errors: share answered 400, 409 or 422',
      description: 'Requests refused as invalid: a front end and its API disagree about the data (failure point 8).',
      queries: [share('400|409|422')],
      unit: 'percentunit',
      threshold: 0.05,
    }))
    .withPanel(graph({
      title: 'S3 calls by outcome',
      description: 'The services\' calls to S3 per second by outcome (loupe_s3_requests_total, counted by the extension from the AWS SDK client spans).',
      queries: [{ expr: 'sum by (service, outcome) (rate(loupe_s3_requests_total{service=~"$service"}[$__rate_interval]))',
        legend: '{{service}} {{outcome}}' }],
      unit: 'reqps',
    }))
    .withPanel(alertPanel({ rule: alertRule('S3RequestsFailing') }, '$service'))
    .withPanel(alertPanel({ rule: alertRule('ServiceDown') }, '$service'));
}
