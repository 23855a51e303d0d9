// A throwaway PostgreSQL cluster for tests: initdb into a temp dir, pg_ctl on a free loopback port, stopped at the end.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyncPgClient } from '../../src/persistence/postgres-sync-client.js';
import { freePort } from './free-port.js';

/** Directory holding initdb/pg_ctl: Debian's versioned dirs, else pg_config --bindir, else PATH. */
export function findPostgresBin(): string | undefined {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(debian, versions[0], 'bin');
  }
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = pgConfig.status === 0 ? pgConfig.stdout.trim() : '';
  if (dir !== '' && existsSync(join(dir, 'initdb'))) return dir;
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim() !== '') return join(onPath.stdout.trim(), '..');
  return undefined;
}

/** The bin dir, or undefined after a loud warning; throws under CI (the engine must be tested there). */
export function requirePostgres(): string | undefined {
  const bin = findPostgresBin();
  if (bin !== undefined) return bin;
  if (process.env.CI) throw new Error('PostgreSQL (initdb, pg_ctl) is required under CI but was not found (install postgresql in .ci/run)');
  console.warn(
    '\n*** PostgreSQL not found (initdb/pg_ctl): skipping the PostgreSQL tests. Install it (Debian: apt-get install postgresql). ***\n',
  );
  return undefined;
}

function run(cmd: string, args: readonly string[], asPostgres: boolean): void {
  const full = asPostgres ? ['-u', 'postgres', '--', cmd, ...args] : args;
  const result = spawnSync(asPostgres ? 'runuser' : cmd, full, { encoding: 'utf8', cwd: '/' });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
}

export interface PostgresCluster {
  readonly port: number;
  /** Superuser URL of database `postgres` (trust auth on loopback). */
  readonly url: string;
  /** URL of a fresh, empty database. */
  createDatabase(name: string): string;
  /** URL whose sessions work in a fresh, empty schema of `postgres` (cheaper than a database). */
  createSchema(name: string): string;
  stop(): void;
}

/**
 * Starts a cluster owned by the `postgres` user when run as root (initdb refuses root), else by
 * the current user. fsync is off: these tests kill exporters, never the database server.
 */
export async function startPostgresCluster(bin: string): Promise<PostgresCluster> {
  const asPostgres = process.getuid?.() === 0;
  // Under root the cluster belongs to `postgres`, which must reach the dir: /tmp, not a private TMPDIR.
  const dir = mkdtempSync(join(asPostgres ? '/tmp' : tmpdir(), 'agentswarm-pg-'));
  const data = join(dir, 'data');
  if (asPostgres) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (ids.status !== 0) throw new Error('running as root but there is no postgres user to own the test cluster');
    chownSync(dir, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
    chmodSync(dir, 0o700);
  }
  run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], asPostgres);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60 -c shared_buffers=32MB`;
  run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '30', 'start'], asPostgres);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const admin = new SyncPgClient({ connectionString: url, replyTimeoutMs: 20_000, connectTimeoutMs: 5000 });
  let stopped = false;
  return {
    port,
    url,
    createDatabase(name) {
      admin.query(`CREATE DATABASE "${name}"`);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    createSchema(name) {
      admin.query(`CREATE SCHEMA "${name}"`);
      return `${url}?options=${encodeURIComponent(`-c search_path=${name}`)}`;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      admin.close();
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], asPostgres);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
