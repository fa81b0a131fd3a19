// Databases: does each service get its connections, how long does it hold them, and which routes run
// one statement per row or slow statements? From the agent's HikariCP pool metrics, the extension's
// N+1 counter and the traces. For on-call after a database page (points 2 and 7) and for whoever is
// making the orders page fast.
import { dashboard, graph, labelVariable, traces } from '../panels.js';
import { alertRule } from '../repository.js';
import { alertPanel } from './alerts.js';

const POOL = 'service=~"$service"';

export function build() {
  return dashboard('loupe-databases', 'Databases',
    'Does each service get its database connections, how long does it hold them, and which routes run repeated '
    + '(N+1) or slow statements? For on-call after a database page (failure points 2, 7) and for the developers '
    + 'speeding up the orders page.')
    .withVariable(labelVariable('service', 'db_client_connections_max'))
    .withPanel(graph({
      title: 'Pool usage: used and idle against the maximum',
      description: 'Connections per pool by state (db_client_connections_usage) and the pool\'s maximum (db_client_connections_max).',
      queries: [
        { expr: `max by (service, pool_name, state) (db_client_connections_usage{${POOL}})`, legend: '{{service}} {{pool_name}} {{state}}' },
        { expr: `max by (service, pool_name) (db_client_connections_max{${POOL}})`, legend: '{{service}} {{pool_name}} max' },
      ],
      width: 8,
    }))
    .withPanel(graph({
      title: 'Requests waiting for a connection',
      description: 'Threads waiting for a connection of the pool (db_client_connections_pending_requests); above 0 with every connection used is exhaustion.',
      queries: [{ expr: `max by (service, pool_name) (db_client_connections_pending_requests{${POOL}})`, legend: '{{service}} {{pool_name}}' }],
      width: 8,
    }))
    .withPanel(graph({
      title: 'Connection timeouts per minute',
      description: 'Requests that gave up waiting for a connection (db_client_connections_timeouts_total).',
      queries: [{ expr: `sum by (service, pool_name) (rate(db_client_connections_timeouts_total{${POOL}}[$__rate_interval])) * 60`, legend: '{{service}} {{pool_name}}' }],
      width: 8,
    }))
    .withPanel(graph({
      title: 'Connection use time p95',
      description: 'How long 95 % of connection uses last: a request\'s statements end to end (db_client_connections_use_time_milliseconds).',
      queries: [{ expr: `histogram_quantile(0.95, sum by (service, pool_name, le) (rate(db_client_connections_use_time_milliseconds_bucket{${POOL}}[$__rate_interval])))`, legend: '{{service}} {{pool_name}}' }],
      unit: 'ms',
      threshold: 1000,
    }))
    .withPanel(graph({
      title: 'Repeated statements (N+1) by route',
      description: 'Statements repeated beyond the N+1 threshold inside one request, per route and minute (loupe_db_repeated_statements_total).',
      queries: [{ expr: `sum by (service, http_route) (rate(loupe_db_repeated_statements_total{${POOL}}[$__rate_interval])) * 60`, legend: '{{service}} {{http_route}}' }],
    }))
    .withPanel(traces({
      title: 'Slow statements by route',
      description: 'Requests of the chosen services with a PostgreSQL statement slower than 500 ms: the route, the statement and its duration. '
        + 'Both attribute generations are read: the agent names them db.system and db.statement, or db.system.name and '
        + 'db.query.text with the stable database conventions switched on.',
      traceql: '{ resource.service.name =~ "$service" && span.http.route != nil } >> '
        + '{ (span.db.system = "postgresql" || span.db.system.name = "postgresql") && duration > 500ms } '
        + '| select(span.db.statement, span.db.query.text)',
      tableType: 'spans',
    }))
    .withPanel(alertPanel({ rule: alertRule('DatabaseConnectionPoolExhausted') }, '$service'))
    .withPanel(alertPanel({ rule: alertRule('DatabaseUnavailable') }, '$service'))
    .withPanel(alertPanel({ rule: alertRule('DatabaseSlowQueries') }, '$service'));
}
