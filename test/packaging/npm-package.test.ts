// The npm package as a user gets it: `npm pack`, installed into an empty folder, `npx agentswarm-exporter --version` and `--demo` until /-/ready.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
};
/** npm install of the tarball: the registry (or the npm cache that CI's `npm ci` filled) for the production dependencies. */
const INSTALL_TIMEOUT_MS = 8 * 60_000;

function npm(args: readonly string[], cwd: string, timeout = 120_000): { status: number; output: string; stdout: string } {
  const result = spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
  });
  return {
    status: result.status ?? -1,
    output: `${result.stdout}${result.stderr}${result.error ? String(result.error) : ''}`,
    stdout: result.stdout,
  };
}

describe('npm package', () => {
  let dir = '';
  let installed = '';

  beforeAll(
    () => {
      // `npm test` builds first; the tarball packs dist/ as built.
      if (!existsSync(join(REPO, 'dist/src/bin/exporter.js')))
        throw new Error('dist/ is missing: run `npm run build` (npm test does) before this test');
      dir = mkdtempSync(join(tmpdir(), 'agentswarm-pack-'));
      const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], REPO);
      expect(packed.status, packed.output).toBe(0);
      const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
      installed = join(dir, 'app');
      mkdirSync(installed);
      writeFileSync(join(installed, 'package.json'), JSON.stringify({ name: 'packaging-check', version: '1.0.0', private: true }));
      // --ignore-scripts: better-sqlite3's install script would compile SQLite from source (minutes on
      // a busy CI machine; its prebuilt download is out of reach here). CI's `npm ci` has just built
      // that same version for this Node, so the addon is copied from there; a different resolved
      // version is rebuilt instead (the slow path, still bounded by the timeout).
      const install = npm(
        ['install', '--ignore-scripts', '--prefer-offline', '--no-package-lock', join(dir, filename)],
        installed,
        INSTALL_TIMEOUT_MS,
      );
      expect(install.status, install.output).toBe(0);
      const wanted = JSON.parse(readFileSync(join(installed, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string };
      const built = JSON.parse(readFileSync(join(REPO, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string };
      const addon = join(REPO, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
      if (wanted.version === built.version && existsSync(addon)) {
        mkdirSync(join(installed, 'node_modules/better-sqlite3/build/Release'), { recursive: true });
        copyFileSync(addon, join(installed, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'));
      } else {
        const rebuild = npm(['rebuild', 'better-sqlite3'], installed, INSTALL_TIMEOUT_MS);
        expect(rebuild.status, rebuild.output).toBe(0);
      }
    },
    2 * INSTALL_TIMEOUT_MS + 60_000,
  );

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships the built code, the web assets and the rules pack, and no tests or sources', () => {
    const root = join(installed, 'node_modules', pkg.name);
    for (const file of [
      'dist/src/bin/exporter.js',
      'dist/src/bin/sim.js',
      'dist/src/web/index.html',
      'agentswarm-exporter.example.yml',
      'alerts/agentswarm-agents.rules.yml',
      'prometheus/rules/agentswarm-swarm-recording.rules.yml',
      'grafana/dashboards/agentswarm-overview.json',
    ]) {
      expect(existsSync(join(root, file)), file).toBe(true);
    }
    for (const absent of ['test', 'src', 'bench', 'node_modules/.bin']) expect(existsSync(join(root, absent)), absent).toBe(false);
    // Only the production dependencies came along.
    const installedDeps = Object.keys(pkg.dependencies).filter((d) => existsSync(join(installed, 'node_modules', d, 'package.json')));
    expect(installedDeps.sort()).toEqual(Object.keys(pkg.dependencies).sort());
    expect(existsSync(join(installed, 'node_modules/vitest'))).toBe(false);
  });

  it('runs `npx agentswarm-exporter --version` from the install', () => {
    const result = spawnSync('npx', ['agentswarm-exporter', '--version'], { cwd: installed, encoding: 'utf8', timeout: 60_000 });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it('starts `npx agentswarm-exporter --demo` on a free port until /-/ready, then stops on SIGTERM', async () => {
    const child = spawn(
      'npx',
      ['agentswarm-exporter', '--demo', '--web.listen-address=127.0.0.1:0', '--storage.path=:memory:', '--log.format=json'],
      { cwd: installed, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.on('exit', (code, signal) => r({ code, signal })),
    );
    try {
      const deadline = Date.now() + 60_000;
      let url: string | undefined;
      while (url === undefined && Date.now() < deadline) {
        url = /"msg":"listening"[^\n]*"url":"(http:\/\/127\.0\.0\.1:\d+)"|"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"listening"/
          .exec(output)
          ?.slice(1)
          .find((u) => u !== undefined);
        if (url === undefined) await new Promise((r) => setTimeout(r, 200));
      }
      expect(url, output).toBeDefined();
      let ready = 0;
      while (ready !== 200 && Date.now() < deadline) {
        ready = await fetch(`${url}/-/ready`).then(
          (r) => r.status,
          () => 0,
        );
        if (ready !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      expect(ready, output).toBe(200);
      // The demo's simulated agents push through the HTTP API: they show on /metrics.
      let agents = 0;
      while (agents === 0 && Date.now() < deadline) {
        const page = await fetch(`${url}/metrics`).then((r) => r.text());
        agents = page.split('\n').filter((l) => l.startsWith('agentswarm_agent_up{')).length;
        if (agents === 0) await new Promise((r) => setTimeout(r, 500));
      }
      expect(agents, output).toBeGreaterThan(0);
    } finally {
      // npx runs the exporter as its child: signal the whole process group we started. (The bin is
      // installed locally, so npx runs it without asking to download anything.)
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    }
    // npm's wrapper dies of the signal itself; the exporter under it drains and says so.
    const { code, signal } = await exited;
    expect(code === 0 || signal === 'SIGTERM', `${code} ${signal}`).toBe(true);
    const stopDeadline = Date.now() + 15_000;
    while (!output.includes('"msg":"stopped"') && Date.now() < stopDeadline) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain('"msg":"shutting down"');
    expect(output).toContain('"msg":"stopped"');
  }, 120_000);
});
