// The few panel shapes Loupe's dashboards are made of, built with the Grafana Foundation SDK. Every
// query names its data source by the uid of collector-config/backends/grafana-datasources.yaml.
import { DashboardBuilder, DashboardLinkBuilder, DashboardLinkType, QueryVariableBuilder, TextBoxVariableBuilder,
  ThresholdsConfigBuilder, ThresholdsMode, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { GraphThresholdsStyleMode, LegendDisplayMode, LegendPlacement, LogsSortOrder, VizLegendOptionsBuilder }
  from '@grafana/grafana-foundation-sdk/common';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as loki from '@grafana/grafana-foundation-sdk/loki';
import * as tempo from '@grafana/grafana-foundation-sdk/tempo';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as logs from '@grafana/grafana-foundation-sdk/logs';
import * as text from '@grafana/grafana-foundation-sdk/text';
import { datasource } from './repository.js';

export const PROMETHEUS = datasource('prometheus');
export const TEMPO = datasource('tempo');
export const LOKI = datasource('loki');

/** The host the alerts' dashboard_url annotations name (alert-rules/rules). */
export const GRAFANA = 'https://grafana.jewelry.internal';

/**
 * A Loupe dashboard: the tag `loupe`, the last hour, refreshed every 30 s, and a link to every other
 * Loupe dashboard (by tag) keeping the time range and variables.
 *
 * @param {string} uid the uid the alerts' dashboard_url annotations name
 * @param {string} title
 * @param {string} description the question the dashboard answers and for whom
 */
export function dashboard(uid, title, description) {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['loupe'])
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .readonly()
    .link(new DashboardLinkBuilder('Loupe').type(DashboardLinkType.Dashboards).tags(['loupe']).asDropdown(true)
      .includeVars(false).keepTime(true));
}

/**
 * A multi-value variable of a label's values in Prometheus, `All` matching any value (`.*`): queries
 * use it as `label=~"$name"`.
 *
 * @param {string} name the variable, also the label
 * @param {string} series the series whose label values are offered, e.g. `jvm_cpu_count`
 */
export function labelVariable(name, series, label = name) {
  return new QueryVariableBuilder(name)
    .label(name)
    .datasource(PROMETHEUS)
    .query({ query: `label_values(${series}, ${label})`, refId: 'variable' })
    .definition(`label_values(${series}, ${label})`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*');
}

/** A free-text variable, such as the order id an operator types or an alert's link fills in. */
export function textVariable(name, label, description) {
  return new TextBoxVariableBuilder(name).label(label).description(description).defaultValue('');
}

/** Where the repository's files are read in a browser (the alerts' runbook_url names runbooks there). */
export const REPOSITORY = 'https://git.jewelry.internal/platform/loupe/-/blob/main';

/** The browser URL of a file of the repository, e.g. `docs/failure-points.md`. */
export function repositoryFile(path) {
  return `${REPOSITORY}/${path}`;
}

/** A link to a URL (a runbook), opened in a new tab. */
export function link(title, url) {
  return new DashboardLinkBuilder(title).type(DashboardLinkType.Link).url(url).targetBlank(true);
}

/**
 * A link to another Loupe dashboard, keeping the time range.
 *
 * @param {string} uid the dashboard's uid
 * @param {string} [query] variables to set, e.g. `var-service=${service}`
 */
export function drillDown(title, uid, query = '') {
  return new DashboardLinkBuilder(title).type(DashboardLinkType.Link).url(`/d/${uid}${query ? `?${query}` : ''}`)
    .keepTime(true);
}

function promQuery(q, i) {
  const query = new prometheus.DataqueryBuilder()
    .datasource(PROMETHEUS)
    .refId(String.fromCharCode(65 + i))
    .expr(q.expr)
    .legendFormat(q.legend ?? '__auto');
  if (q.exemplar) {
    query.exemplar(true);
  }
  if (q.instant) {
    query.instant();
  }
  return query;
}

/** The least number above x (x a finite number): `v > x` is `v >= nextUp(x)`, which Grafana's steps can say. */
export function nextUp(x) {
  if (x === 0) {
    return Number.MIN_VALUE;
  }
  const bits = new BigInt64Array(new Float64Array([x]).buffer);
  bits[0] += x > 0 ? 1n : -1n;
  return new Float64Array(bits.buffer)[0];
}

/**
 * Grafana's threshold steps (a value takes the colour of the highest step at or below it) for a value that is
 * bad when `value <comparison> threshold`: red exactly where the alert's comparison holds, green elsewhere.
 * `== n` is read as `<= n` (the one alert comparing by equality, RabbitmqDown's `up == 0`, measures a value
 * never below 0).
 *
 * @param {number} value the threshold
 * @param {'>'|'>='|'<'|'<='|'=='} [comparison] the alert's comparison; `>=` by default (a count: 1 and more is bad)
 * @throws {Error} for another comparison (`!=`), which no two colours can show
 */
function thresholds(value, comparison = '>=') {
  const steps = {
    '>': [['green', null], ['red', nextUp(value)]],
    '>=': [['green', null], ['red', value]],
    '<': [['red', null], ['green', value]],
    '<=': [['red', null], ['green', nextUp(value)]],
    '==': [['red', null], ['green', nextUp(value)]],
  }[comparison];
  if (!steps) {
    throw new Error(`no threshold colours for the comparison ${comparison}`);
  }
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute)
    .steps(steps.map(([color, v]) => ({ value: v, color })));
}

/** What every panel has: title, description, data source, size (width in grid columns of 24) and links. */
function framed(panel, p, source, width, height = 8) {
  return panel.title(p.title).description(p.description).datasource(source).span(p.width ?? width).height(height)
    .links(p.links ?? []);
}

/**
 * A time series of PromQL queries.
 *
 * @param {{title: string, description: string, queries: {expr: string, legend?: string, exemplar?: boolean}[],
 *          unit?: string, threshold?: number, comparison?: string, links?: object[], width?: number}} p
 *   threshold: drawn as a dashed line (an alert's), the values where `value <comparison> threshold` red
 *   (comparison `>=` by default)
 */
export function graph(p) {
  const panel = framed(new timeseries.PanelBuilder(), p, PROMETHEUS, 12)
    .unit(p.unit ?? 'short')
    .targets(p.queries.map(promQuery))
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List)
      .placement(LegendPlacement.Bottom));
  if (p.threshold !== undefined) {
    panel.thresholds(thresholds(p.threshold, p.comparison)).thresholdsStyle({ build: () => ({ mode: GraphThresholdsStyleMode.Dashed }) });
  }
  return panel;
}

/**
 * One number (the last value) of a PromQL query, red from a threshold on.
 *
 * @param {{title: string, description: string, expr: string, unit?: string, threshold?: number,
 *          links?: object[], width?: number}} p
 */
export function number(p) {
  return framed(new stat.PanelBuilder(), p, PROMETHEUS, 4)
    .unit(p.unit ?? 'short')
    .withTarget(promQuery({ expr: p.expr, legend: p.legend }, 0))
    .thresholds(thresholds(p.threshold ?? 1));
}

/**
 * A table of an instant PromQL query, one row per series.
 *
 * @param {{title: string, description: string, expr: string, unit?: string, links?: object[], width?: number}} p
 */
export function promTable(p) {
  return framed(new table.PanelBuilder(), p, PROMETHEUS, 12)
    .unit(p.unit ?? 'short')
    .withTarget(promQuery({ expr: p.expr, instant: true, legend: p.legend }, 0).format(prometheus.PromQueryFormat.Table))
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true } } });
}

/**
 * A table of what a TraceQL query finds in Tempo.
 *
 * @param {{title: string, description: string, traceql: string, tableType?: string, limit?: number}} p
 *   tableType: traces (default) or spans
 */
export function traces(p) {
  return framed(new table.PanelBuilder(), p, TEMPO, 24, 10)
    .withTarget(new tempo.DataqueryBuilder().datasource(TEMPO).refId('A').queryType('traceql').query(p.traceql)
      .limit(p.limit ?? 50).tableType(p.tableType ?? tempo.SearchTableType.Traces));
}

/**
 * The log lines a LogQL query finds in Loki, oldest first.
 *
 * @param {{title: string, description: string, logql: string, maxLines?: number}} p
 */
export function logLines(p) {
  return framed(new logs.PanelBuilder(), p, LOKI, 24, 10)
    .showTime(true)
    .enableLogDetails(true)
    .sortOrder(LogsSortOrder.Ascending)
    .withTarget(new loki.DataqueryBuilder().datasource(LOKI).refId('A').expr(p.logql).maxLines(p.maxLines ?? 1000));
}

/** Markdown: what a row is about and where to go next. */
export function note(content, width = 24, height = 3) {
  return new text.PanelBuilder().title('').span(width).height(height).mode(text.TextMode.Markdown).content(content);
}
