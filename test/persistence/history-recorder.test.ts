import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_STATES_PER_WRITE, recordHistory } from '../../src/analysis-cycle/history-recorder.js';
import { AgentRegistry } from '../../src/store/agent-registry.js';
import { ManualClock } from '../fakes/manual-clock.js';
import { SqliteTaskStore } from '../../src/persistence/sqlite-task-store.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';

describe('analysis history', () => {
  let exporter: TestExporter | undefined;
  let store: SqliteTaskStore | undefined;
  afterEach(async () => {
    await exporter?.stop();
    store?.close();
  });

  it('stores a compact snapshot per swarm and one downsampled state per agent in a real SQLite file', async () => {
    exporter = await startTestExporter();
    for (let step = 0; step < 5; step++) {
      await exporter.post('/api/v1/samples', {
        samples: ['a1', 'a2', 'a3'].flatMap((agent, i) => [
          { swarm: 'hist', agent, metric: 'cpu_usage', value: 0.1 * (i + 1) + 0.01 * step },
          { swarm: 'hist', agent, metric: 'error_rate', value: 0 },
        ]),
      });
      exporter.clock.advance(1000);
      await exporter.engine.cycle();
    }
    store = SqliteTaskStore.open(join(mkdtempSync(join(tmpdir(), 'hist-')), 'h.db'));
    const sink = {
      recordAnalysisSnapshot: (swarm: string, body: Parameters<SqliteTaskStore['saveAnalysisSnapshot']>[0]['body'], takenAt = 0) =>
        store?.saveAnalysisSnapshot({ swarm, takenAt, body }),
      recordAgentStates: (
        states: readonly {
          swarm: string;
          agent: string;
          status: string;
          healthScore: number | undefined;
          metrics: Readonly<Record<string, number>>;
        }[],
        bucketMs = 60_000,
      ) => store?.saveAgentStates(states.map((s) => ({ ...s, bucketStart: Math.floor(exporter!.clock.now() / bucketMs) * bucketMs }))),
    };
    await recordHistory(sink, exporter.registry, exporter.engine.latest());
    await recordHistory(sink, exporter.registry, exporter.engine.latest());

    const snapshot = store.latestAnalysisSnapshot('hist');
    expect(snapshot).toBeDefined();
    const body = snapshot?.body as Record<string, unknown>;
    expect(body.swarm).toBe('hist');
    expect(body).not.toHaveProperty('anomaly_scores');
    expect(body).not.toHaveProperty('utilization');
    const states = store.listAgentStates('hist', undefined, 0);
    // Two recordings in the same bucket keep one row per agent.
    expect(states.map((s) => s.agent).sort()).toEqual(['a1', 'a2', 'a3']);
    expect(states.find((s) => s.agent === 'a3')?.metrics.cpu_usage).toBeCloseTo(0.34, 10);
    expect(states.every((s) => s.status === 'optimal')).toBe(true);
  });

  it('writes the agent states of a large swarm in parts, with a pause between two parts, every agent once', async () => {
    const clock = new ManualClock();
    const registry = new AgentRegistry(
      { heartbeatTimeoutMs: 45_000, expireAfterMs: 600_000, maxAgents: 2000, maxCustomMetrics: 4, stepMs: 1000, windowMs: 60_000 },
      clock,
    );
    const agents = 2 * AGENT_STATES_PER_WRITE + 200;
    registry.ingest(
      Array.from({ length: agents }, (_, i) => ({ swarm: 'big', agent: `a${i}`, metric: 'cpu_usage', value: 0.5 })),
      'push',
    );
    const events: string[] = [];
    const written: string[] = [];
    const sink = {
      recordAnalysisSnapshot: (): void => undefined,
      recordAgentStates: (states: readonly { agent: string }[]): void => {
        events.push(`write ${states.length}`);
        written.push(...states.map((s) => s.agent));
      },
    };
    await recordHistory(sink, registry, new Map(), () => {
      events.push('pause');
      return Promise.resolve();
    });
    expect(events).toEqual([`write ${AGENT_STATES_PER_WRITE}`, 'pause', `write ${AGENT_STATES_PER_WRITE}`, 'pause', 'write 200']);
    expect(new Set(written).size).toBe(agents);
  });
});
