// Every entry point speaks one human line on a bad start: the real executables as child processes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const EXPORTER = 'src/bin/exporter.ts';
const SIM = 'src/bin/sim.ts';
const LOCKER = fileURLToPath(new URL('../durability/fixtures/db-locker.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'startup-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly code: number | null;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a bin with Node + tsx and no other output than its own; killed after 20 s. */
function run(bin: string, args: readonly string[]): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], {
      cwd: process.cwd(),
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

/** The lines that are not routine warnings (an open API without a token is warned about at info level). */
function problemLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !l.includes('level=warn'));
}

function expectOneLine(result: Run, code: number, pattern: RegExp): void {
  const lines = problemLines(result.stderr);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^agentswarm-exporter: /);
  expect(lines[0]).toMatch(pattern);
  // No stack trace, no JSON-escaped error object.
  expect(result.stderr).not.toMatch(/\n\s+at |\\n\s+at |"stack"/);
  expect(result.code).toBe(code);
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('agentswarm-exporter start-up failures', () => {
  it('names an occupied address and exits 1 (runtime)', async () => {
    const holder: Server = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', () => done()));
    const address = holder.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const result = await run(EXPORTER, ['--web.listen-address', `127.0.0.1:${port}`, '--storage.path', ':memory:']);
      expectOneLine(result, 1, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
    } finally {
      await new Promise<void>((done) => holder.close(() => done()));
    }
  });

  it('refuses a port out of range before anything starts and exits 2 (configuration)', async () => {
    const result = await run(EXPORTER, ['--web.listen-address', 'nothost:99999']);
    expectOneLine(result, 2, /web\.listen_address: expected a port between 0 and 65535, got "nothost:99999"/);
  });

  it('names a host that does not resolve', async () => {
    const result = await run(EXPORTER, ['--web.listen-address', 'nothost.invalid:9999', '--storage.path', ':memory:']);
    expectOneLine(result, 1, /cannot listen on nothost\.invalid:9999: host "nothost\.invalid" not found/);
  });

  it('suggests the key meant for an unknown one and exits 2', async () => {
    const config = file('typo.yml', 'web:\n  listen_adress: ":10464"\n');
    const result = await run(EXPORTER, ['--config.file', config]);
    expectOneLine(result, 2, /web\.listen_adress: unknown key; did you mean web\.listen_address\?/);
  });

  it("speaks plain words for a bound instead of zod's default message", async () => {
    const config = file('bound.yml', 'coordination:\n  concurrency: 0\n');
    const result = await run(EXPORTER, ['--config.file', config]);
    expectOneLine(result, 2, /coordination\.concurrency: expected at least 1, got 0$/);
    expect(result.stderr).not.toMatch(/Too small/);
  });

  it('names an unreadable token file and exits 2', async () => {
    const config = file('token.yml', `web:\n  auth:\n    ingest_token_file: ${join(dir, 'missing-token')}\n`);
    const result = await run(EXPORTER, ['--config.file', config, '--storage.path', ':memory:', '--web.listen-address', '127.0.0.1:0']);
    expectOneLine(result, 2, /web\.auth\.ingest_token_file: cannot read .*missing-token: no such file \(ENOENT\)/);
  });

  it('names a database locked by another process and exits 1', async () => {
    const db = join(dir, 'locked.db');
    const locker = spawn(process.execPath, [LOCKER, db], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((done, fail) => {
        locker.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && done());
        locker.once('exit', () => fail(new Error('locker exited')));
      });
      const result = await run(EXPORTER, ['--storage.path', db, '--web.listen-address', '127.0.0.1:0']);
      expectOneLine(result, 1, /cannot open storage\.path .*locked\.db: the database is locked by another process/);
    } finally {
      locker.stdin.write('release\n');
      if (locker.exitCode === null) await new Promise((done) => locker.once('exit', done));
    }
  });
});

describe('agentswarm-sim', () => {
  it('exits non-zero within 10 s against a closed port, saying why', async () => {
    const holder: Server = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', () => done()));
    const address = holder.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise<void>((done) => holder.close(() => done()));
    const result = await run(SIM, ['--target', `http://127.0.0.1:${port}`]);
    expect(result.code).toBe(1);
    expect(result.ms).toBeLessThan(10_000);
    expect(result.stderr).toMatch(new RegExp(`agentswarm-sim: cannot deliver to http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });

  it('prints its version', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', SIM, '--version'], { cwd: process.cwd() });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((done) => child.once('exit', done));
    expect(code).toBe(0);
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
