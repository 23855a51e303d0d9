// Starts a real exporter on an ephemeral loopback port with a manual clock, for route-level tests.
import { parseConfigObject } from '../../src/config/parse-config.js';
import { startExporter, type RunningExporter } from '../../src/main.js';
import { ManualClock } from '../fakes/manual-clock.js';
import { createLogger } from '../../src/runtime/logger.js';

export interface TestExporter extends RunningExporter {
  readonly clock: ManualClock;
  readonly logs: string[];
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }>;
  metricsText(accept?: string): Promise<string>;
}

export async function startTestExporter(overrides: Record<string, unknown> = {}): Promise<TestExporter> {
  const base: Record<string, unknown> = {
    web: { listen_address: '127.0.0.1:0' },
    analysis: { step: '1s', window: '2m' },
    storage: { path: ':memory:' },
  };
  const merged = deepMerge(base, overrides);
  const config = parseConfigObject(merged, 'test');
  const clock = new ManualClock(Date.UTC(2026, 10, 21, 12, 0, 0));
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', format: 'json', write: (line) => logs.push(line) });
  const running = await startExporter({ config, logger, clock, manualSteps: true, env: {} });
  return {
    ...running,
    clock,
    logs,
    async post(path, body, headers = {}) {
      const res = await fetch(`${running.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
    },
    async metricsText(accept) {
      const res = await fetch(`${running.url}/metrics`, accept ? { headers: { accept } } : {});
      return res.text();
    },
  };
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
