// What the dashboards and the alerts say about each other holds: every alert's dashboard_url opens a
// dashboard that exists (and its panel and variables, where the URL names them), every loss alert's
// order_journey_url the Order journey and its order_id variable, every drill-down link
// of a panel opens a dashboard that exists, every runbook link a runbook that exists, and every alert of
// failure points 1-9 has its panel on the Orders overview.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { alertRules, ROOT } from '../src/repository.js';
import { GRAFANA, REPOSITORY } from '../src/panels.js';
import { BROWSER_ERRORS, FAILURE_POINTS } from '../src/dashboards/orders.js';
import { panelsOf, queries } from '../src/queries.js';
import { byUid, DASHBOARDS } from './committed.js';

/** What a dashboard link (absolute, or relative to Grafana) points at. */
function target(url) {
  const u = new URL(url, GRAFANA);
  const m = u.pathname.match(/^\/d\/([^/]+)(\/[^/]+)?$/);
  return m && { uid: m[1], params: u.searchParams };
}

/**
 * The URL opens a dashboard, with the panel and the variables it names.
 *
 * @param {(uid: string) => object|undefined} [find] the dashboards by uid: the committed folder's
 */
function assertOpens(url, where, find = byUid) {
  const t = target(url);
  assert.ok(t, `${where}: ${url} is no dashboard URL`);
  const d = find(t.uid);
  assert.ok(d, `${where}: no dashboard has uid ${t.uid} (${url}); there are ${DASHBOARDS.map((x) => x.uid)}`);
  for (const [name] of t.params) {
    if (name === 'viewPanel') {
      const id = Number(t.params.get(name).replace(/^panel-/, ''));
      assert.ok(panelsOf(d).some((p) => p.id === id), `${where}: ${t.uid} has no panel ${id}`);
    } else if (name.startsWith('var-')) {
      assert.ok(d.templating?.list?.some((v) => v.name === name.slice(4)),
        `${where}: ${t.uid} has no variable ${name.slice(4)}`);
    } else {
      assert.fail(`${where}: ${url} has a parameter Grafana does not read: ${name}`);
    }
  }
}

test('every alert\'s dashboard_url opens a Loupe dashboard, with its panel and variables', () => {
  const rules = alertRules();
  assert.ok(rules.length > 20);
  for (const r of rules) {
    const url = r.annotations.dashboard_url;
    assert.ok(url.startsWith(`${GRAFANA}/d/`), `${r.alert}: ${url}`);
    // the label templates stand for one value each; any value opens the same dashboard
    assertOpens(url.replace(/{{[^}]*}}/g, 'x'), r.alert);
  }
});

/** The dashboard the loss alerts' order_journey_url opens, and the variable on-call types the order id into. */
const JOURNEY = 'loupe-order-journey';

/**
 * An order_journey_url opens the Order journey dashboard, which has the text variable `order_id`; the URL
 * may set that variable and no other.
 */
function assertOpensJourney(url, where) {
  assertOpens(url, where);
  const t = target(url);
  assert.equal(t.uid, JOURNEY, `${where}: ${url} opens ${t.uid}, not the Order journey`);
  const variable = byUid(JOURNEY).templating.list.find((v) => v.name === 'order_id');
  assert.ok(variable?.type === 'textbox', `${where}: ${JOURNEY} has no text variable order_id`);
  for (const [name] of t.params) {
    assert.ok(name === 'var-order_id', `${where}: ${url} sets ${name}; the journey is chosen by order_id only`);
  }
}

test('every alert about lost orders links the Order journey, where on-call types the order id', () => {
  const withJourney = alertRules().filter((r) => r.annotations.order_journey_url !== undefined);
  // the group of loss alerts, and every alert counting orders_affected but the broker's discarded messages,
  // which no client saw, so nothing names their orders (alert-rules/README.md, "The order journey link")
  const expected = alertRules().filter((r) => r.group === 'loupe-orders.alerts'
    || (r.annotations.orders_affected !== undefined && r.alert !== 'RabbitmqMessagesDiscarded'));
  assert.deepEqual(withJourney.map((r) => r.alert).sort(), expected.map((r) => r.alert).sort());
  assert.ok(withJourney.length >= 7, withJourney.map((r) => r.alert).join(', '));
  for (const r of withJourney) {
    assert.ok(r.annotations.order_journey_url.startsWith(`${GRAFANA}/d/`), `${r.alert}: ${r.annotations.order_journey_url}`);
    assertOpensJourney(r.annotations.order_journey_url.replace(/{{[^}]*}}/g, 'x'), r.alert);
  }
});

test('the check itself refuses an order_journey_url to another dashboard or variable', () => {
  assert.throws(() => assertOpensJourney(`${GRAFANA}/d/loupe-orders/orders`, 'example'), /not the Order journey/);
  assert.throws(() => assertOpensJourney(`${GRAFANA}/d/loupe-order-journey/order-journey?var-order=x`, 'example'),
    /no variable order/);
  assertOpensJourney(`${GRAFANA}/d/loupe-order-journey/order-journey?var-order_id=JW-000001`, 'example');
});

/** The series an expression reads: recording rules (`a:b:c`) and metrics of Prometheus's naming (`x_total`, …). */
function seriesOf(expr) {
  return new Set(expr.match(/\b[a-z_]+:[a-z0-9_:]+\b|\b[a-z][a-z0-9_]*_(?:total|seconds|bucket|count|ratio|bytes)\b/g) ?? []);
}

test('a dashboard_url that names a panel opens a panel about its alert (one of the series the alert reads)', () => {
  const withPanel = alertRules().filter((r) => new URL(r.annotations.dashboard_url).searchParams.has('viewPanel'));
  assert.ok(withPanel.some((r) => r.alert === 'FrontendErrors'));
  for (const r of withPanel) {
    const t = target(r.annotations.dashboard_url.replace(/{{[^}]*}}/g, 'x'));
    const id = Number(t.params.get('viewPanel').replace(/^panel-/, ''));
    const panel = panelsOf(byUid(t.uid)).find((p) => p.id === id);
    const read = (panel.targets ?? []).map((q) => q.expr ?? '').join(' ');
    assert.ok([...seriesOf(r.expr)].some((name) => seriesOf(read).has(name)),
      `${r.alert}: panel ${id} of ${t.uid} (${panel.title}) reads none of ${[...seriesOf(r.expr)]}`);
  }
});

test('FrontendErrors opens the browser errors by page, and no service variable the front ends are no value of', () => {
  const url = alertRules().find((r) => r.alert === 'FrontendErrors').annotations.dashboard_url;
  const t = target(url);
  assert.equal(t.uid, 'loupe-orders');
  assert.equal(panelsOf(byUid('loupe-orders')).find((p) => p.id === Number(t.params.get('viewPanel'))).title, BROWSER_ERRORS);
  assert.equal(t.params.has('var-service'), false, url);
});

test('the check itself refuses a dashboard_url to nowhere', () => {
  assert.throws(() => assertOpens(`${GRAFANA}/d/loupe-orders-page/orders-page`, 'example'), /no dashboard has uid/);
  assert.throws(() => assertOpens(`${GRAFANA}/d/loupe-orders/orders?var-queue=x`, 'example'), /no variable queue/);
  assert.throws(() => assertOpens(`${GRAFANA}/d/loupe-orders/orders?viewPanel=9999`, 'example'), /no panel 9999/);
});

/** A panel link opens a file of the repository that exists (a runbook, the failure points) or a dashboard. */
function assertResolves(url, where) {
  if (url.startsWith(`${REPOSITORY}/`)) {
    const path = url.slice(REPOSITORY.length + 1);
    assert.match(path, /^[\w.-]+(\/[\w.-]+)*$/, `${where}: ${url}`);
    assert.ok(existsSync(join(ROOT, path)), `${where}: ${url} names no file of the repository`);
  } else {
    assertOpens(url, where);
  }
}

/** Every link of every panel of the dashboards (those in collapsed rows too) opens something that exists. */
function assertPanelLinksResolve(dashboards) {
  let seen = 0;
  for (const d of dashboards) {
    for (const p of panelsOf(d)) {
      for (const l of p.links ?? []) {
        seen++;
        assertResolves(l.url, `${d.uid} / ${p.title}`);
      }
    }
  }
  return seen;
}

/** Every panel of a dashboard but rows and notes has at least one link, and each resolves. */
function assertEveryPanelLinks(d) {
  const shown = panelsOf(d).filter((p) => p.type !== 'row' && p.type !== 'text');
  for (const p of shown) {
    assert.ok((p.links ?? []).length > 0, `${d.uid} / ${p.title} has no link`);
  }
  assertPanelLinksResolve([d]);
  return shown.length;
}

test('every link of a panel opens a dashboard that exists or a file of the repository that exists', () => {
  const seen = assertPanelLinksResolve(DASHBOARDS);
  assert.ok(seen > 50, `${seen} links`);
  assert.throws(() => assertResolves(`${REPOSITORY}/alert-rules/runbooks/NoSuchAlert.md`, 'example'), /names no file/);
});

test('every panel of the Orders overview links to its runbook or drill-down dashboard', () => {
  const shown = assertEveryPanelLinks(byUid('loupe-orders'));
  assert.ok(shown > 40, `${shown} panels`);
});

test('the checks see the panels of a collapsed row', () => {
  // Grafana's model of a collapsed row: its panels in the row's `panels`, none after it at the top
  const hidden = { id: 3, type: 'timeseries', title: 'hidden', links: [],
    targets: [{ datasource: { type: 'prometheus', uid: 'loupe-prometheus' }, expr: 'up{service=~"$service"}' }] };
  const collapsed = { uid: 'synthetic', title: 'synthetic', templating: byUid('loupe-orders').templating,
    panels: [{ id: 1, type: 'stat', title: 'shown', links: [{ url: '/d/loupe-apis' }] },
      { id: 2, type: 'row', title: 'a collapsed row', collapsed: true, panels: [hidden] }] };
  assert.deepEqual(panelsOf(collapsed).map((p) => p.title), ['shown', 'a collapsed row', 'hidden']);
  assert.deepEqual(queries([collapsed]).map((q) => [q.panel, q.query]), [['hidden', 'up{service=~".*"}']]);
  assert.throws(() => assertEveryPanelLinks(collapsed), /synthetic \/ hidden has no link/);
  hidden.links = [{ url: '/d/loupe-nowhere' }];
  assert.throws(() => assertPanelLinksResolve([collapsed]), /no dashboard has uid loupe-nowhere/);
  hidden.links = [{ url: '/d/loupe-apis?var-service=shop-api' }];
  assert.equal(assertEveryPanelLinks(collapsed), 2);
  assert.doesNotThrow(() => assertOpens('/d/synthetic?viewPanel=3', 'a collapsed panel by id', () => collapsed));
  assert.throws(() => assertOpens('/d/synthetic?viewPanel=4', 'no such panel', () => collapsed), /no panel 4/);
});

test('the Orders overview has a row per failure point 1-9 and the orders page', () => {
  const rows = panelsOf(byUid('loupe-orders')).filter((p) => p.type === 'row').map((p) => p.title);
  for (const [point] of FAILURE_POINTS) {
    assert.ok(rows.some((r) => r.startsWith(`${point}. `)), `a row for failure point ${point} in ${rows}`);
  }
  assert.deepEqual(FAILURE_POINTS.map(([p]) => p), ['1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.ok(rows.includes('The orders page (MES)'));
});

test('every alert of failure points 1-9 has its panel on the Orders overview, every other on a dashboard', () => {
  const overview = panelsOf(byUid('loupe-orders')).map((p) => p.title);
  const everywhere = DASHBOARDS.flatMap((d) => panelsOf(d).map((p) => p.title));
  for (const r of alertRules().filter((x) => x.alert !== 'Watchdog')) {
    const titles = r.labels.failure_point === 'none' ? everywhere : overview;
    assert.ok(titles.some((t) => t === r.alert || t.startsWith(`${r.alert} (`)), `${r.alert} has no panel`);
  }
});
