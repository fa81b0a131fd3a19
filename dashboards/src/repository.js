// What the dashboards take from the rest of the repository at build time, so that they cannot disagree
// with it: the Grafana data sources of collector-config and the alert rules of alert-rules.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** The repository's root directory (this file is dashboards/src/repository.js). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** collector-config's Grafana data-source provisioning file: the uids every panel must use. */
export const DATASOURCES_FILE = join(ROOT, 'collector-config', 'backends', 'grafana-datasources.yaml');

/** The folder of Prometheus rule files (recording and alerting) the alert panels read. */
export const RULES_DIR = join(ROOT, 'alert-rules', 'rules');

/**
 * The data-source reference ({type, uid}) Grafana resolves for a data source of the given type.
 *
 * @param {'prometheus'|'tempo'|'loki'} type a data-source type of grafana-datasources.yaml
 * @returns {{type: string, uid: string}}
 * @throws {Error} when the file has no data source of that type, or more than one
 */
export function datasource(type) {
  const all = parseYaml(readFileSync(DATASOURCES_FILE, 'utf8')).datasources.filter((d) => d.type === type);
  if (all.length !== 1) {
    throw new Error(`${DATASOURCES_FILE} has ${all.length} data sources of type ${type}, expected exactly one`);
  }
  return { type, uid: all[0].uid };
}

/**
 * Every alerting rule of alert-rules/rules, in file and group order.
 *
 * @returns {{alert: string, group: string, expr: string, for?: string, labels: Object<string,string>,
 *            annotations: Object<string,string>}[]}
 */
export function alertRules() {
  const rules = [];
  for (const file of readdirSync(RULES_DIR).filter((f) => f.endsWith('.yml')).sort()) {
    for (const group of parseYaml(readFileSync(join(RULES_DIR, file), 'utf8')).groups) {
      for (const rule of group.rules.filter((r) => r.alert)) {
        rules.push({ ...rule, group: group.name, expr: rule.expr.trim() });
      }
    }
  }
  return rules;
}

/**
 * One alerting rule by name.
 *
 * @param {string} name the rule's `alert`
 * @throws {Error} when alert-rules/rules has no such alert
 */
export function alertRule(name) {
  const rule = alertRules().find((r) => r.alert === name);
  if (!rule) {
    throw new Error(`alert-rules/rules has no alert ${name}`);
  }
  return rule;
}
