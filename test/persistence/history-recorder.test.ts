import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordHistory } from '../../src/analysis-cycle/history-recorder.js';
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
    recordHistory(sink, exporter.registry, exporter.engine.latest());
    recordHistory(sink, exporter.registry, exporter.engine.latest());

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
});
