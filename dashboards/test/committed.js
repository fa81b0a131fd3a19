// The committed folder the tests read: what ships, and what the drift check holds to the code.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDashboards } from '../src/queries.js';

export const FOLDER = join(dirname(fileURLToPath(import.meta.url)), '..', 'Loupe');
export const DASHBOARDS = readDashboards(FOLDER);
export const byUid = (uid) => DASHBOARDS.find((d) => d.uid === uid);
