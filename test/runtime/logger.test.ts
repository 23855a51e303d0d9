import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LOGGER = fileURLToPath(new URL('../../src/runtime/logger.ts', import.meta.url));

/** Runs a Node child (sources through tsx) that logs through createLogger to its real stderr. */
function runChild(body: string): { stderr: string; status: number | null } {
  const script = `import { createLogger } from ${JSON.stringify(LOGGER)};\nconst log = createLogger({ level: 'info', format: 'logfmt' });\n${body}`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { stderr: result.stderr, status: result.status };
}

describe('createLogger on stderr (lines written in batches)', () => {
  it('writes every line, in order, when the process ends on its own', () => {
    const { stderr, status } = runChild(`for (let i = 0; i < 3000; i += 1) log.info({ i }, 'line');`);
    expect(status).toBe(0);
    const numbers = stderr
      .trim()
      .split('\n')
      .map((l) => Number(/ i=(\d+) /.exec(l)?.[1]));
    expect(numbers).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });

  it('writes the lines still pending when the process exits at once (process.exit, or an uncaught error)', () => {
    const exit = runChild(`log.info('before exit'); process.exit(3);`);
    expect(exit.status).toBe(3);
    expect(exit.stderr).toMatch(/level=info msg="before exit"/);
    const crash = runChild(`log.error('about to throw'); throw new Error('boom');`);
    expect(crash.status).toBe(1);
    expect(crash.stderr).toMatch(/level=error msg="about to throw"/);
    expect(crash.stderr).toContain('boom');
  });
});
