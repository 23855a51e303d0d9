// Numbered SQLite schema migrations; `PRAGMA user_version` records the last one applied.

export interface Migration {
  /** 1, 2, 3, ... in order, never reused or edited once released. */
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'tasks, attempts, incidents, analysis snapshots, agent performance states',
    sql: `
      CREATE TABLE tasks (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
        incident_starts_at INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        lease_owner TEXT,
        lease_expires_at INTEGER,
        last_error TEXT,
        impact_score TEXT,
        impact_before REAL,
        impact_after REAL,
        impact_ratio REAL,
        impact_measured_at INTEGER
      );
      -- Dedup as a constraint: at most one open task per receiver + alert fingerprint.
      CREATE UNIQUE INDEX tasks_one_open_per_key ON tasks (receiver, fingerprint)
        WHERE status IN ('queued', 'running') AND receiver IS NOT NULL AND fingerprint IS NOT NULL;
      CREATE INDEX tasks_by_status ON tasks (status, priority_rank, seq);
      CREATE INDEX tasks_by_type ON tasks (type, seq);
      CREATE INDEX tasks_by_finish ON tasks (finished_at) WHERE finished_at IS NOT NULL;

      CREATE TABLE attempts (
        task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        duration_ms REAL NOT NULL,
        status_code INTEGER,
        outcome TEXT NOT NULL,
        error TEXT,
        PRIMARY KEY (task_id, attempt)
      );

      -- An incident is (fingerprint, startsAt): one firing period of one alert.
      CREATE TABLE incidents (
        fingerprint TEXT NOT NULL,
        starts_at INTEGER NOT NULL,
        receiver TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
        ends_at INTEGER,
        alertname TEXT NOT NULL,
        task_id TEXT REFERENCES tasks (id) ON DELETE SET NULL,
        first_seen_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        PRIMARY KEY (fingerprint, starts_at)
      ) WITHOUT ROWID;
      CREATE INDEX incidents_by_task ON incidents (task_id) WHERE task_id IS NOT NULL;
      CREATE INDEX incidents_by_last_seen ON incidents (last_seen_at);

      CREATE TABLE analysis_snapshots (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        swarm TEXT NOT NULL,
        taken_at INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX analysis_snapshots_by_swarm ON analysis_snapshots (swarm, taken_at);

      CREATE TABLE agent_performance_states (
        swarm TEXT NOT NULL,
        agent TEXT NOT NULL,
        bucket_start INTEGER NOT NULL,
        status TEXT NOT NULL,
        health_score REAL,
        metrics TEXT NOT NULL,
        PRIMARY KEY (swarm, agent, bucket_start)
      ) WITHOUT ROWID;
      CREATE INDEX agent_performance_states_by_time ON agent_performance_states (bucket_start);
    `,
  },
  {
    version: 2,
    description: 'pending impact measurements survive a restart',
    sql: `
      ALTER TABLE tasks ADD COLUMN impact_due_at INTEGER;
      -- JSON {score, value, higherIsBetter}: the reading taken just before delivery.
      ALTER TABLE tasks ADD COLUMN impact_baseline TEXT;
      CREATE INDEX tasks_impact_due ON tasks (impact_due_at) WHERE impact_due_at IS NOT NULL;
    `,
  },
];
