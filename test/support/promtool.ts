// Finds promtool on PATH: skip loudly locally when missing, fail under CI (docs/design.md#conventions 19).
import { spawnSync } from 'node:child_process';

export function findBinary(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status === 0 && path !== '') return path;
  if (process.env.CI) throw new Error(`${name} is required under CI but was not found on PATH (install it in .ci/run)`);
  console.warn(`\n*** ${name} not found on PATH: skipping the tests that need it. Install it (Debian: see .ci/run). ***\n`);
  return undefined;
}

/** Runs `promtool check metrics` on a page; returns its exit status and output. */
export function promtoolCheckMetrics(promtool: string, page: string): { status: number; output: string } {
  const result = spawnSync(promtool, ['check', 'metrics'], { input: page, encoding: 'utf8' });
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}
