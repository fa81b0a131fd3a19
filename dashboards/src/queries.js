// Every query of the generated dashboards, with Grafana's template variables replaced by values a
// Prometheus, Loki or Tempo accepts, for the checks (the grammar tests here, and the integration test
// that runs each PromQL query against a real Prometheus: `node src/queries.js <folder>` prints them as JSON).
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Grafana's built-in variables as the checks fill them: $__rate_interval as Grafana computes it for a
 * 15 s scrape interval (four of them); $__range as the dashboards' default time range, the last hour.
 */
export const BUILT_IN = { __rate_interval: '1m', __range: '1h', __interval: '15s' };

/** An order id of the sample apps' form, for the Order journey's text variable. */
export const SAMPLE_ORDER_ID = 'JW-000001';

/**
 * The dashboards of a generated folder.
 *
 * @param {string} dir the generated folder (dashboards/Loupe: <uid>.json)
 * @returns {object[]} Grafana's JSON model of each, in file-name order
 */
export function readDashboards(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}

/**
 * A query with its variables filled: a query variable by its `All` value (every dashboard variable here
 * offers All), a text variable by a sample, Grafana's own variables by BUILT_IN.
 *
 * @throws {Error} for a variable the dashboard does not define
 */
export function substitute(query, dashboard) {
  const values = { ...BUILT_IN };
  for (const v of dashboard.templating?.list ?? []) {
    values[v.name] = v.type === 'textbox' ? SAMPLE_ORDER_ID : v.allValue;
  }
  return query.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced, bare) => {
    const name = braced ?? bare;
    if (values[name] === undefined) {
      throw new Error(`${dashboard.uid}: ${whole} is no variable of the dashboard`);
    }
    return values[name];
  });
}

/**
 * Every panel of a dashboard, in order: the top-level panels (rows among them) and, after a collapsed row,
 * the panels it holds (Grafana keeps a collapsed row's panels in the row's own `panels`, not at the top).
 *
 * @param {object} dashboard Grafana's JSON model
 * @returns {object[]}
 */
export function panelsOf(dashboard) {
  return (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
}

/**
 * Every query of every panel (those of collapsed rows too), variables filled.
 *
 * @returns {{dashboard: string, panel: string, panelId: number, language: 'promql'|'logql'|'traceql',
 *            query: string, raw: string}[]}
 */
export function queries(dashboards) {
  const out = [];
  for (const d of dashboards) {
    for (const p of panelsOf(d)) {
      for (const t of p.targets ?? []) {
        const type = t.datasource?.type ?? p.datasource?.type;
        const [language, raw] = type === 'prometheus' ? ['promql', t.expr] : type === 'loki' ? ['logql', t.expr]
          : type === 'tempo' ? ['traceql', t.query] : [type, undefined];
        out.push({ dashboard: d.uid, panel: p.title, panelId: p.id, language, raw, query: substitute(raw ?? '', d) });
      }
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(queries(readDashboards(resolve(process.argv[2] ?? 'Loupe'))), null, 2));
}
