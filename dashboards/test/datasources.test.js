// The dashboards query the data sources Grafana is provisioned with: every data-source reference (panel,
// query, variable) names a uid of collector-config/backends/grafana-datasources.yaml with its type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DATASOURCES_FILE } from '../src/repository.js';
import { panelsOf } from '../src/queries.js';
import { DASHBOARDS } from './committed.js';

const PROVISIONED = parse(readFileSync(DATASOURCES_FILE, 'utf8')).datasources;

function references(node, path, out) {
  if (Array.isArray(node)) {
    node.forEach((n, i) => references(n, `${path}[${i}]`, out));
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'datasource') {
        out.push({ path: `${path}.datasource`, ref: v });
      } else {
        references(v, `${path}.${k}`, out);
      }
    }
  }
  return out;
}

test('every data-source reference is a provisioned data source, by uid and type', () => {
  const refs = DASHBOARDS.flatMap((d) => references(d, d.uid, []));
  assert.ok(refs.length > 100, `${refs.length} references`);
  for (const { path, ref } of refs) {
    const match = PROVISIONED.find((p) => p.uid === ref?.uid);
    assert.ok(match, `${path}: ${JSON.stringify(ref)} is none of ${PROVISIONED.map((p) => p.uid)}`);
    assert.equal(ref.type, match.type, path);
  }
  assert.deepEqual([...new Set(refs.map((r) => r.ref.uid))].sort(), PROVISIONED.map((p) => p.uid).sort(),
    'the dashboards use Prometheus, Tempo and Loki');
});

test('exemplars on the Service dashboard open traces in the Tempo the panels use', () => {
  const prometheus = PROVISIONED.find((p) => p.type === 'prometheus');
  const tempo = PROVISIONED.find((p) => p.type === 'tempo');
  assert.ok(prometheus.jsonData.exemplarTraceIdDestinations.some((e) => e.datasourceUid === tempo.uid));
  const service = DASHBOARDS.find((d) => d.uid === 'loupe-apis');
  const withExemplars = panelsOf(service).flatMap((p) => p.targets ?? []).filter((t) => t.exemplar);
  assert.ok(withExemplars.length >= 3, 'p50, p95 and p99 ask for exemplars');
  for (const t of withExemplars) {
    assert.match(t.expr, /http_server_request_duration_seconds_bucket/);
  }
});
