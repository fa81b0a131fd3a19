// The README's table of dashboards is the generated folder's: one row per dashboard, by title and uid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARDS, FOLDER } from './committed.js';

const README = readFileSync(join(FOLDER, '..', 'README.md'), 'utf8');

test('the README opens with the check command and has a row for exactly the generated dashboards', () => {
  assert.match(README.split('\n')[2], /^Check: `mvn verify -pl dashboards -am`$/);
  const rows = [...README.matchAll(/^\| (.+?) \(`(loupe-[a-z-]+)`\) \|/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
  assert.deepEqual(rows, DASHBOARDS.map((d) => `${d.title} ${d.uid}`).sort());
});

// Runbooks and the training guide name dashboards as *Title* (`uid`): each must be a generated dashboard,
// by its own title (they named *APIs*, *Messaging*, *Pipeline* and an `loupe-orders-page` that never existed).
test('every dashboard the runbooks and docs name exists, under its title', () => {
  const root = join(FOLDER, '..', '..');
  const files = [
    ...readdirSync(join(root, 'alert-rules', 'runbooks')).filter((f) => f.endsWith('.md'))
      .map((f) => join(root, 'alert-rules', 'runbooks', f)),
    ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(root, 'docs', f)),
  ];
  const byUid = new Map(DASHBOARDS.map((d) => [d.uid, d.title]));
  const wrong = [];
  let named = 0;
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\*([^*\n]+)\* \(`(loupe-[a-z-]+)`/g)) {
      named++;
      if (byUid.get(m[2]) !== m[1]) {
        wrong.push(`${file.slice(root.length + 1)}: *${m[1]}* (\`${m[2]}\`), ` + (byUid.has(m[2])
          ? `titled *${byUid.get(m[2])}*` : 'no such dashboard'));
      }
    }
  }
  // the training guide's "**Dashboard.**" lines name dashboards by title alone
  const titles = new Set(DASHBOARDS.map((d) => d.title));
  const training = readFileSync(join(root, 'docs', 'training.md'), 'utf8');
  for (const line of training.matchAll(/^\*\*Dashboard\.\*\* (.*)$/gm)) {
    for (const m of line[1].matchAll(/\*([^*]+)\*/g)) {
      named++;
      if (!titles.has(m[1])) {
        wrong.push(`docs/training.md: *${m[1]}* is no dashboard's title`);
      }
    }
  }
  assert.ok(named > 20, `dashboards named in runbooks and docs: ${named}`);
  assert.deepEqual(wrong, []);
});
