// The README's table of dashboards is the generated folder's: one row per dashboard, by title and uid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARDS, FOLDER } from './committed.js';

const README = readFileSync(join(FOLDER, '..', 'README.md'), 'utf8');

test('the README opens with the check command and has a row for exactly the generated dashboards', () => {
  assert.match(README.split('\n')[2], /^Check: `mvn verify -pl dashboards -am`$/);
  const rows = [...README.matchAll(/^\| (.+?) \(`(loupe-[a-z-]+)`\) \|/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
  assert.deepEqual(rows, DASHBOARDS.map((d) => `${d.title} ${d.uid}`).sort());
});
