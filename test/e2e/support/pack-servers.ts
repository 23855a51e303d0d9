// The pack's two servers for the end-to-end tests, real Prometheus and Alertmanager on loopback ports: their configs
// written to the test's folder, started by PID with their data and logs there, and awaited until ready. Each test still
// writes its own rule files and exporter config (shortened or time-scaled pack) and starts the exporter itself.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess, waitForHttp, type Started } from '../../rules-pack/support/processes.js';

/** Built binaries are required like the Prometheus ones: skip loudly locally, fail under CI. */
export function builtBinary(path: string, test: string): string | undefined {
  if (existsSync(path)) return path;
  if (process.env.CI) throw new Error(`${path} is missing: npm test builds it first (npm run build)`);
  console.warn(`\n*** ${path} is missing: skipping the ${test} end-to-end test. Run npm run build (npm test does). ***\n`);
  return undefined;
}

export interface PackServersOptions {
  /** The test's temp folder: alertmanager.yml, prometheus.yml, their data and their logs go there. */
  readonly dir: string;
  readonly alertmanagerBin: string;
  readonly prometheusBin: string;
  /** The ports the configs name (Prometheus scrapes itself and sends to Alertmanager there). */
  readonly alertmanagerPort: number;
  readonly prometheusPort: number;
  /** The config texts, written as given. */
  readonly alertmanagerConfig: string;
  readonly prometheusConfig: string;
}

export interface PackServers {
  readonly alertmanager: Started;
  readonly prometheus: Started;
  /** Resolves once both answer 200 on /-/ready; else rejects after 15 s (with the output of one that exited). */
  ready(): Promise<void>;
}

/**
 * Writes the configs and starts Alertmanager, then Prometheus, without waiting: a test may start
 * more (the exporter's pushers) before it awaits `ready()`. Stopping them is the caller's, by PID.
 */
export function startPackServers(options: PackServersOptions): PackServers {
  const { dir } = options;
  writeFileSync(join(dir, 'alertmanager.yml'), options.alertmanagerConfig);
  writeFileSync(join(dir, 'prometheus.yml'), options.prometheusConfig);
  const alertmanager = startProcess(
    'alertmanager',
    options.alertmanagerBin,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${options.alertmanagerPort}`,
      '--cluster.listen-address=',
    ],
    { logPath: join(dir, 'alertmanager.log') },
  );
  const prometheus = startProcess(
    'prometheus',
    options.prometheusBin,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${options.prometheusPort}`,
    ],
    { logPath: join(dir, 'prometheus.log') },
  );
  return {
    alertmanager,
    prometheus,
    ready: async () => {
      await Promise.all([
        waitForHttp(`http://127.0.0.1:${options.alertmanagerPort}/-/ready`, 15_000, alertmanager),
        waitForHttp(`http://127.0.0.1:${options.prometheusPort}/-/ready`, 15_000, prometheus),
      ]);
    },
  };
}

/** Removes the test's temp folder, unless KEEP_E2E_ARTIFACTS is set (then says where it is, for the logs). */
export function removeArtifacts(dir: string): void {
  if (process.env.KEEP_E2E_ARTIFACTS === undefined) rmSync(dir, { recursive: true, force: true });
  else console.warn(`e2e artifacts kept in ${dir}`);
}
