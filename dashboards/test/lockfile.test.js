// Every package npm installs from the lockfile accepts the oldest Node this folder declares (package.json
// engines, Node 20 on these machines): `npm ci` must not warn EBADENGINE, and a dependency that needs a
// newer Node must be pinned at an older release (as @grafana/lezer-logql at 0.3.0: 0.4.x declare node >=24).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FOLDER } from './committed.js';

const LOCK = JSON.parse(readFileSync(join(FOLDER, '..', 'package-lock.json'), 'utf8'));

function version(text) {
  const parts = text.replace(/^v/, '').split('.').map((p) => (p === 'x' || p === '*' ? 0 : Number(p)));
  assert.ok(parts.length <= 3 && parts.every(Number.isInteger), `${text} is no version`);
  return [...parts, 0, 0, 0].slice(0, 3);
}

function compare(a, b) {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * Whether a node engines range admits a version: alternatives by `||`, each a list of comparators
 * (`>=`, `>`, `<=`, `<`, `=`, `^`, a bare version, `*`).
 *
 * @throws {AssertionError} for range syntax this reader does not know (the test then fails, not passes)
 */
function admits(range, node) {
  const v = version(node);
  return range.split('||').some((alternative) => alternative.trim().replace(/([<>=^]+)\s+/g, '$1').split(/\s+/)
    .every((c) => {
      const m = c.match(/^(>=|<=|>|<|=|\^)?(.+)$/);
      if (m[2] === '*') return true;
      const bound = version(m[2]);
      const order = compare(v, bound);
      switch (m[1]) {
        case '>=': return order >= 0;
        case '>': return order > 0;
        case '<=': return order <= 0;
        case '<': return order < 0;
        case '^': return order >= 0 && v[0] === bound[0];
        default: return m[2].includes('x') ? v[0] === bound[0] : order === 0;
      }
    }));
}

test('every locked package accepts the oldest Node the folder declares', () => {
  const oldest = LOCK.packages[''].engines.node.match(/^>=\s*(\d+(\.\d+)*)$/)[1];
  assert.equal(version(oldest)[0], 20);
  const packages = Object.entries(LOCK.packages).filter(([path]) => path !== '');
  assert.ok(packages.length >= 5);
  for (const [path, p] of packages) {
    if (p.engines?.node) {
      assert.ok(admits(p.engines.node, oldest), `${path}@${p.version} declares node ${p.engines.node}`);
    }
  }
});

test('the range reader refuses what a Node 20 must refuse', () => {
  assert.equal(admits('>=24', '20.0.0'), false);
  assert.equal(admits('>= 14.6', '20.0.0'), true);
  assert.equal(admits('^18 || ^20', '20.0.0'), true);
  assert.equal(admits('>=18 <20', '20.0.0'), false);
  assert.throws(() => admits('lts', '20.0.0'));
});
