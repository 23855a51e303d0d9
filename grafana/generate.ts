// Writes grafana/dashboards/*.json from the TypeScript builders: `npx tsx grafana/generate.ts` (add --check to only compare).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARD_FILES, renderDashboard } from './builders/index.js';

const outDir = join(dirname(fileURLToPath(import.meta.url)), 'dashboards');
const checkOnly = process.argv.includes('--check');

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

let drifted = 0;
for (const { file, build } of DASHBOARD_FILES) {
  const path = join(outDir, file);
  const text = renderDashboard(build());
  if (readOrEmpty(path) === text) continue;
  if (checkOnly) {
    drifted += 1;
    process.stderr.write(`${file}: differs from its builder; run npx tsx grafana/generate.ts\n`);
  } else {
    writeFileSync(path, text);
    process.stdout.write(`wrote ${path}\n`);
  }
}
process.exitCode = drifted > 0 ? 1 : 0;
