// Numbered PostgreSQL schema migrations; the table agentswarm_schema records those applied.
import type { Migration } from './migrations.js';

// Same tables and columns as the SQLite schema (src/persistence/migrations.ts), so the row
// mapping is one; times are BIGINT ms since the epoch, JSON bodies TEXT (kept byte-exact: a
// retried delivery sends the very plan the first attempt sent).
export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'tasks, attempts, incidents, schedule slots, analysis snapshots, agent performance states',
    sql: `
      CREATE TABLE tasks (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        priority TEXT NOT NULL,
        priority_rank INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
        source TEXT NOT NULL,
        swarm TEXT NOT NULL,
        agents TEXT NOT NULL,
        reason TEXT NOT NULL,
        alerts TEXT NOT NULL,
        plan TEXT,
        receiver TEXT,
        fingerprint TEXT,
        incident_starts_at BIGINT,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        next_attempt_at BIGINT NOT NULL,
        started_at BIGINT,
        finished_at BIGINT,
        lease_owner TEXT,
        lease_expires_at BIGINT,
        last_error TEXT,
        impact_score TEXT,
        impact_before DOUBLE PRECISION,
        impact_after DOUBLE PRECISION,
        impact_ratio DOUBLE PRECISION,
        impact_measured_at BIGINT
      );
      -- Dedup as a constraint: at most one open task per receiver + alert fingerprint, across replicas.
      CREATE UNIQUE INDEX tasks_one_open_per_key ON tasks (receiver, fingerprint)
        WHERE status IN ('queued', 'running') AND receiver IS NOT NULL AND fingerprint IS NOT NULL;
      -- Partial indexes keep the hot queries (queue, leases) small however long the history grows.
      CREATE INDEX tasks_queued ON tasks (priority_rank, seq) WHERE status = 'queued';
      CREATE INDEX tasks_running ON tasks (lease_expires_at) WHERE status = 'running';
      CREATE INDEX tasks_queued_since ON tasks (updated_at) WHERE status = 'queued';
      CREATE INDEX tasks_by_status ON tasks (status, seq);
      CREATE INDEX tasks_by_type ON tasks (type, seq);
      CREATE INDEX tasks_by_finish ON tasks (finished_at) WHERE finished_at IS NOT NULL;

      CREATE TABLE attempts (
        task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        started_at BIGINT NOT NULL,
        duration_ms DOUBLE PRECISION NOT NULL,
        status_code INTEGER,
        outcome TEXT NOT NULL,
        error TEXT,
        PRIMARY KEY (task_id, attempt)
      );

      -- An incident is (fingerprint, startsAt): one firing period of one alert, once across replicas.
      CREATE TABLE incidents (
        fingerprint TEXT NOT NULL,
        starts_at BIGINT NOT NULL,
        receiver TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
        ends_at BIGINT,
        alertname TEXT NOT NULL,
        task_id TEXT REFERENCES tasks (id) ON DELETE SET NULL,
        first_seen_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        PRIMARY KEY (fingerprint, starts_at)
      );
      CREATE INDEX incidents_by_task ON incidents (task_id) WHERE task_id IS NOT NULL;
      CREATE INDEX incidents_by_last_seen ON incidents (last_seen_at);

      -- One row per fired schedule slot: the replica that inserts it creates the slot's tasks.
      CREATE TABLE schedule_slots (
        schedule TEXT NOT NULL,
        slot_at BIGINT NOT NULL,
        owner TEXT NOT NULL,
        fired_at BIGINT NOT NULL,
        PRIMARY KEY (schedule, slot_at)
      );
      CREATE INDEX schedule_slots_by_time ON schedule_slots (fired_at);

      CREATE TABLE analysis_snapshots (
        id BIGSERIAL PRIMARY KEY,
        swarm TEXT NOT NULL,
        taken_at BIGINT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX analysis_snapshots_by_swarm ON analysis_snapshots (swarm, taken_at);
      CREATE INDEX analysis_snapshots_by_time ON analysis_snapshots (taken_at);

      CREATE TABLE agent_performance_states (
        swarm TEXT NOT NULL,
        agent TEXT NOT NULL,
        bucket_start BIGINT NOT NULL,
        status TEXT NOT NULL,
        health_score DOUBLE PRECISION,
        metrics TEXT NOT NULL,
        PRIMARY KEY (swarm, agent, bucket_start)
      );
      CREATE INDEX agent_performance_states_by_time ON agent_performance_states (bucket_start);
    `,
  },
  {
    version: 2,
    description: 'pending impact measurements survive a restart (due time and baseline with the task)',
    sql: `
      ALTER TABLE tasks ADD COLUMN impact_due_at BIGINT;
      ALTER TABLE tasks ADD COLUMN impact_baseline TEXT;
      CREATE INDEX tasks_pending_impacts ON tasks (impact_due_at) WHERE impact_due_at IS NOT NULL;
    `,
  },
];
