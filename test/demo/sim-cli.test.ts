import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runSimCli } from '../../src/demo/sim-cli.js';
import type { SimCliIo } from '../../src/demo/sim-cli.js';
import { FakeExporter } from '../client/fake-exporter.js';

const BIN = 'src/bin/sim.ts';
const servers: FakeExporter[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function exporter(): Promise<FakeExporter> {
  const server = await new FakeExporter().start();
  servers.push(server);
  return server;
}

/** Captures output; `signal()` plays SIGINT/SIGTERM to whoever listens. */
function fakeIo(): SimCliIo & { out: string[]; err: string[]; signal(name: string): void; listeners(): number } {
  const out: string[] = [];
  const err: string[] = [];
  const handlers = new Set<(name: string) => void>();
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    onSignal: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    signal: (name) => {
      for (const h of [...handlers]) h(name);
    },
    listeners: () => handlers.size,
  };
}

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bin with Node + tsx; `onStderr` may signal the child once it is running. Bounded in time. */
function runBin(args: readonly string[], onStderr?: (text: string, kill: (signal: NodeJS.Signals) => void) => void): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
      cwd: process.cwd(),
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, (signal) => child.kill(signal));
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('agentswarm-sim', () => {
  it('starts with the node shebang, as a package bin must', () => {
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('prints its usage for --help and exits 0', async () => {
    const result = await runBin(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: agentswarm-sim [options]');
    for (const flag of [
      '--target <url>',
      '--agents <n>',
      '--scenario <name>',
      '--seed <n>',
      '--swarm <name>',
      '--token <token>',
      '--step <duration>',
      '--duration <duration>',
    ]) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).toMatch(/"day",\s+"steady",\s+"wave"/);
  }, 30_000);

  it('stops cleanly on SIGINT, flushing and printing its statistics', async () => {
    const server = await exporter();
    let signalled = false;
    const result = await runBin(['--target', server.url, '--scenario', 'steady', '--agents', '3', '--step', '50ms'], (stderr, kill) => {
      if (!signalled && stderr.includes('registered 3/3 agents')) {
        signalled = true;
        // Let a few steps go out first.
        setTimeout(() => kill('SIGINT'), 300);
      }
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('SIGINT received, stopping');
    const stats = JSON.parse(result.stdout.trim()) as Record<string, number | string>;
    expect(stats).toMatchObject({ scenario: 'steady', swarm: 'sim', agents: 3, samplesDropped: 0, failures: 0 });
    expect(stats['samplesAccepted']).toBeGreaterThan(0);
    expect(stats['samplesAccepted']).toBe(server.batchedSamples().length);
  }, 30_000);

  it('runs for --duration against an exporter and reports what was delivered', async () => {
    const server = await exporter();
    const io = fakeIo();
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'token'), 'ingest-token\n');

    const code = await runSimCli(
      [
        '--target',
        server.url,
        '--scenario',
        'wave',
        '--agents',
        '12',
        '--step',
        '100ms',
        '--duration',
        '600ms',
        '--swarm',
        'load',
        '--token-file',
        join(dir, 'token'),
        '--seed',
        '3',
      ],
      io,
    );

    expect(code).toBe(0);
    const stats = JSON.parse(io.out.join('').trim()) as Record<string, unknown>;
    expect(stats).toMatchObject({ scenario: 'wave', swarm: 'load', agents: 12, failures: 0, samplesDropped: 0 });
    expect(stats['steps']).toBeGreaterThanOrEqual(4);
    expect(new Set(server.to('/api/v1/samples').map((r) => r.headers['authorization']))).toEqual(new Set(['Bearer ingest-token']));
    expect(new Set(server.batchedSamples().map((s) => s['agent'])).size).toBe(12);
    expect(io.err.join('')).toContain('ran for 600ms, stopping');
    expect(io.listeners()).toBe(0);
  });

  it('stops at the first signal even while it is still registering agents', async () => {
    const server = await exporter();
    server.responder = () => 'hang';
    const io = fakeIo();
    const running = runSimCli(['--target', server.url, '--scenario', 'steady', '--agents', '2'], io);
    await vi.waitFor(() => expect(server.requests.length).toBeGreaterThan(0), { timeout: 5000, interval: 5 });
    io.signal('SIGTERM');
    server.responder = () => ({ status: 202 });
    server.release();
    expect(await running).toBe(0);
    expect(io.err.join('')).toContain('SIGTERM received, stopping');
  });

  it.each([
    { args: ['--scenario', 'nope'], message: /Allowed choices are day, steady, wave/ },
    { args: ['--step', '5x'], message: /expected a duration/ },
    { args: ['--step', '1ms'], message: /expected at least 10ms/ },
    { args: ['--agents', 'many'], message: /expected an integer/ },
    { args: ['--target', 'ftp://x'], message: /http or https URL/ },
    { args: ['--receiver-port', '0'], message: /--receiver-port needs --receiver-secret-file/ },
    { args: ['--bogus'], message: /unknown option '--bogus'/ },
  ])('rejects $args with exit code 2 and a message', async ({ args, message }) => {
    const io = fakeIo();
    expect(await runSimCli(args, io)).toBe(2);
    expect(io.err.join('')).toMatch(message);
    expect(io.listeners()).toBe(0);
  });

  it('exits 1 with the reason when the scenario cannot take that many agents', async () => {
    const server = await exporter();
    const io = fakeIo();
    expect(await runSimCli(['--target', server.url, '--scenario', 'day', '--agents', '2'], io)).toBe(1);
    expect(io.err.join('')).toContain('agents: scenario day expects an integer >= 5, got 2');
    expect(io.listeners()).toBe(0);
  });
});
