// An alert of alert-rules/rules as a panel: the expression the alert evaluates, read from the rule file
// when the dashboards are built, so a panel and its alert can never disagree.
import { alertRules } from '../repository.js';
import { measure, narrow } from '../promql.js';
import { drillDown, graph, link } from '../panels.js';

/** The services whose alerts carry a templated failure point (alert-rules/rules). */
const SERVICES = ['shop-api', 'crm-api', 'mes-api'];

/** Series without a `service` label, which narrowing to a service must leave alone. */
const SERVICELESS = new Set(['loupe:telemetry_pipeline:down']);

/**
 * The alerts that speak for one failure point, each with the service it is narrowed to where the
 * alert's failure point depends on the service.
 *
 * @param {string} point '1'..'9'
 * @returns {{rule: object, service?: string}[]}
 */
export function alertsOf(point) {
  const found = [];
  for (const rule of alertRules()) {
    const fp = rule.labels.failure_point;
    if (rule.group === 'loupe-orders-page.alerts') {
      continue; // the orders page has a row of its own
    }
    if (fp === point) {
      found.push({ rule });
    } else if (fp.includes('{{')) {
      for (const service of SERVICES.filter((s) => templatedPoint(fp, s) === point)) {
        found.push({ rule, service });
      }
    }
  }
  return found;
}

/**
 * The failure point a `failure_point` template gives a service, evaluated the way the rules write them:
 * `{{ if eq $labels.service "x" }}N{{ else if eq $labels.service "y" }}M{{ else }}K{{ end }}`.
 */
export function templatedPoint(template, service) {
  const branches = [...template.matchAll(/eq \$labels\.service "([^"]+)" }}(\w+)/g)];
  const hit = branches.find((b) => b[1] === service);
  if (hit) {
    return hit[2];
  }
  return template.match(/{{ else }}(\w+){{ end }}/)[1];
}

/** The alerts of a rule group, e.g. `loupe-orders-page.alerts`. */
export function alertsOfGroup(group) {
  return alertRules().filter((r) => r.group === group).map((rule) => ({ rule }));
}

/**
 * The alerts of no failure point (the monitoring itself, the reconciler) that open the given dashboard:
 * each is shown where its own dashboard_url sends on-call. Watchdog, always firing, is left out.
 *
 * @param {string} uid a dashboard uid, e.g. `loupe-pipeline`
 */
export function alertsWithoutPointOpening(uid) {
  return alertRules()
    .filter((r) => r.labels.failure_point === 'none' && r.alert !== 'Watchdog' && dashboardOf(r) === uid)
    .map((rule) => ({ rule }));
}

/** The uid of the dashboard an alert's dashboard_url opens. */
function dashboardOf(rule) {
  return rule.annotations.dashboard_url.match(/\/d\/([^/?]+)/)[1];
}

/**
 * A panel of one alert: what it measures (its expression without the final `> n`, the threshold drawn
 * as a dashed line) or, for an expression of several conditions, the whole expression, which shows
 * series only while the alert's condition holds. Links to the alert's runbook and the dashboard its
 * `dashboard_url` names.
 *
 * @param {{rule: object, service?: string}} a an alert from alertsOf, narrowed to a service if given
 * @param {string} [serviceVariable] a variable to narrow the panel by as well, e.g. `$service`
 */
export function alertPanel({ rule, service }, serviceVariable) {
  let m = measure(rule.expr);
  let expr = m.expr;
  if (service) {
    expr = narrow(expr, `service="${service}"`, SERVICELESS);
  }
  if (serviceVariable) {
    expr = narrow(expr, `service=~"${serviceVariable}"`, SERVICELESS);
  }
  const severity = `${rule.labels.severity}${rule.for ? `, after ${rule.for}` : ''}`;
  const description = m.threshold !== undefined
    ? `What ${rule.alert} measures${service ? ` for ${service}` : ''}; it fires (${severity}) when the value is ${m.comparison} ${m.threshold} (dashed line). Expression read from alert-rules/rules.`
    : `${rule.alert}'s whole expression${service ? ` for ${service}` : ''} (alert-rules/rules): a series shows while its condition holds; it fires (${severity}) once it has held long enough.`;
  const target = dashboardOf(rule);
  return graph({
    title: `${rule.alert}${service ? ` (${service})` : ''}`,
    description,
    queries: [{ expr }],
    threshold: m.threshold,
    comparison: m.comparison,
    width: 8,
    links: [
      link(`Runbook: ${rule.alert}`, rule.annotations.runbook_url),
      drillDown('Drill down', target, service ? `var-service=${service}` : ''),
    ],
  });
}
