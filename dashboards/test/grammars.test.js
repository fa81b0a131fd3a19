// Every query of every panel parses with the grammar of its language: PromQL with Prometheus's own
// (@prometheus-io/lezer-promql), LogQL and TraceQL with Grafana's (@grafana/lezer-logql,
// @grafana/lezer-traceql), variables filled as Grafana would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parser as promql } from '@prometheus-io/lezer-promql';
import { parser as logql } from '@grafana/lezer-logql';
import { parser as traceql } from '@grafana/lezer-traceql';
import { queries } from '../src/queries.js';
import { DASHBOARDS } from './committed.js';

const PARSERS = { promql, logql, traceql };

/** The syntax errors lezer recovered from (error nodes), with the text around each. */
function errors(parser, text) {
  const found = [];
  parser.parse(text).iterate({
    enter(n) {
      if (n.type.isError) found.push(`at ${n.from}: …${text.slice(Math.max(0, n.from - 15), n.from + 15)}…`);
    },
  });
  return found;
}

const ALL = queries(DASHBOARDS);

test('every panel query is in a language the checks know, and not empty', () => {
  for (const q of ALL) {
    assert.ok(PARSERS[q.language], `${q.dashboard} / ${q.panel}: a ${q.language} query`);
    assert.ok(q.query.trim().length > 0, `${q.dashboard} / ${q.panel}: an empty query`);
  }
  assert.deepEqual([...new Set(ALL.map((q) => q.language))].sort(), ['logql', 'promql', 'traceql']);
});

for (const language of Object.keys(PARSERS)) {
  test(`every ${language} query parses`, () => {
    const mine = ALL.filter((q) => q.language === language);
    assert.ok(mine.length > 0);
    for (const q of mine) {
      assert.deepEqual(errors(PARSERS[language], q.query), [], `${q.dashboard} / ${q.panel}: ${q.query}`);
    }
  });
}

test('the grammars find the errors they are trusted with', () => {
  assert.notDeepEqual(errors(promql, 'sum by (service (rate(x[5m]))'), []);
  assert.notDeepEqual(errors(promql, 'rate(x[$__rate_interval])'), [], 'an unfilled variable is no PromQL');
  assert.notDeepEqual(errors(logql, '{service_name="shop-api" | order_id = "JW-1"'), []);
  assert.notDeepEqual(errors(traceql, '{ span.order.id = "JW-1" '), []);
});
