// Runs every bench/*.bench.mjs in its own Node process, one after another, and passes through
// their output: one JSON line per result, each carrying the peer measured in the same run.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => !only || f.includes(only))
  .sort();
let failed = 0;
for (const file of files) {
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, file)], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed += 1;
    process.stdout.write(`${JSON.stringify({ bench: file, error: `exited with ${result.status ?? result.signal}` })}\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
