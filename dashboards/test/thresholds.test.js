// An alert's panel colours a value red exactly where the alert's comparison holds: the healthy values of
// every alert panel are green (RabbitmqDown's `up == 0` once drew the broker up, 1, in red; a count's
// `> 0` drew its healthy 0 in red).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertRules } from '../src/repository.js';
import { measure } from '../src/promql.js';
import { nextUp } from '../src/panels.js';
import { panelsOf } from '../src/queries.js';
import { byUid, DASHBOARDS } from './committed.js';

/** The colour Grafana gives a value: that of the highest step at or below it (the first step is the base). */
function colour(steps, value) {
  let found = steps[0].color;
  for (const s of steps.slice(1)) {
    if (value >= s.value) found = s.color;
  }
  return found;
}

const HOLDS = {
  '>': (v, t) => v > t,
  '>=': (v, t) => v >= t,
  '<': (v, t) => v < t,
  '<=': (v, t) => v <= t,
  '==': (v, t) => v === t,
};

test('every alert panel with a threshold is red exactly where its alert\'s comparison holds', () => {
  let checked = 0;
  for (const rule of alertRules()) {
    const m = measure(rule.expr);
    if (m.comparison === undefined) continue;
    const panels = DASHBOARDS.flatMap((d) => panelsOf(d))
      .filter((p) => p.title === rule.alert || p.title.startsWith(`${rule.alert} (`));
    assert.ok(panels.length > 0, `${rule.alert} has a panel`);
    for (const p of panels) {
      const steps = p.fieldConfig.defaults.thresholds.steps;
      const values = [m.threshold, m.threshold + 1, nextUp(m.threshold),
        ...(m.comparison === '==' ? [] : [m.threshold - 1, m.threshold / 2])];
      for (const v of values) {
        assert.equal(colour(steps, v), HOLDS[m.comparison](v, m.threshold) ? 'red' : 'green',
          `${p.title}: ${v} (fires when ${m.comparison} ${m.threshold}); steps ${JSON.stringify(steps)}`);
      }
      checked++;
    }
  }
  assert.ok(checked >= 15, `${checked} panels`);
});

test('the broker up is green on RabbitmqDown, down is red; a count of 0 is green on a loss alert', () => {
  const steps = panelsOf(byUid('loupe-messaging')).find((p) => p.title === 'RabbitmqDown').fieldConfig.defaults.thresholds.steps;
  assert.equal(colour(steps, 1), 'green');
  assert.equal(colour(steps, 0), 'red');
  const loss = panelsOf(byUid('loupe-orders')).find((p) => p.title === 'OrderMessageRejected').fieldConfig.defaults.thresholds.steps;
  assert.equal(colour(loss, 0), 'green');
  assert.equal(colour(loss, 1), 'red');
});

test('nextUp is the least number above its argument', () => {
  for (const x of [0, 0.05, 1, 100, 1000, -1]) {
    assert.ok(nextUp(x) > x);
    assert.equal((x + nextUp(x)) / 2 === x || (x + nextUp(x)) / 2 === nextUp(x), true, `nothing between ${x} and ${nextUp(x)}`);
  }
});
