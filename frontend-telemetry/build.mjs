// Bundles src/telemetry.js and the OpenTelemetry packages it imports (versions pinned by
// package-lock.json) into the one file a page includes, dist/loupe-telemetry.js.
//
//   node build.mjs           writes dist/loupe-telemetry.js
//   node build.mjs --check   exits 1 if dist/loupe-telemetry.js is not what the sources build to
import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';

const OUT = 'dist/loupe-telemetry.js';
const result = await build({
  entryPoints: ['src/telemetry.js'],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2020'],
  minify: true,
  legalComments: 'eof',
  banner: { js: '/* Loupe browser telemetry (frontend-telemetry/): OpenTelemetry JavaScript, Apache-2.0; versions in package-lock.json */' },
  write: false,
});
const built = result.outputFiles[0].text;

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(OUT, 'utf8');
  } catch {
    // missing: reported below as a difference
  }
  if (committed !== built) {
    console.error(`${OUT} is not what src/ and package-lock.json build to: run "npm ci && node build.mjs" and commit it`);
    process.exit(1);
  }
  console.log(`${OUT} is up to date (${built.length} bytes)`);
} else {
  mkdirSync('dist', { recursive: true });
  writeFileSync(OUT, built);
  console.log(`wrote ${OUT} (${built.length} bytes)`);
}
