// The analysis history the exporter keeps beside its tasks (docs/design.md#domain-model): snapshots of
// each swarm's analysis and agents' performance states per time bucket, for the history routes.
import type { AgentStateRecord, AnalysisSnapshotRecord } from '../model/task-records.js';

export interface HistoryStore {
  saveAnalysisSnapshot(snapshot: AnalysisSnapshotRecord): void;
  latestAnalysisSnapshot(swarm: string): AnalysisSnapshotRecord | undefined;
  /** Oldest first, taken at or after `sinceMs`. */
  listAnalysisSnapshots(swarm: string, sinceMs: number, limit?: number): AnalysisSnapshotRecord[];

  /** Upserts by (swarm, agent, bucketStart): the last state written in a bucket wins. */
  saveAgentStates(states: readonly AgentStateRecord[]): void;
  /** Oldest first. */
  listAgentStates(swarm: string, agent: string | undefined, sinceMs: number, limit?: number): AgentStateRecord[];
}
