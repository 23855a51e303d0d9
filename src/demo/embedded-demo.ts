// `--demo`: the simulated five-agent swarm, its orchestrator (webhook receiver) and the embedded demo
// alerting, started around a running exporter. The receiver starts first so the coordination
// service can be pointed at it; the simulator joins once the exporter listens.
import { randomBytes } from 'node:crypto';
import type { SwarmAnalysis } from '../analysis-cycle/swarm-analysis.js';
import type { AgentRegistry } from '../store/agent-registry.js';
import { startPeriodic, type PeriodicTask } from '../runtime/periodic.js';
import { startCoordinationReceiver, type ActionTarget, type CoordinationReceiver } from './coordination-receiver.js';
import { DemoAlertSource } from './demo-alerts.js';
import { PACK_HOLD_MS, holdMs, phaseUnitMs, type PackAlert } from './pack-timing.js';
import { startSimulatedSwarm, type SimulatedSwarm } from './simulated-swarm.js';
import { Scraper, type ScraperDeps } from '../ingest/scrape/scraper.js';
import { targetsFromConfig } from '../ingest/scrape/scrape-target.js';
import { defaultScrapeMapping } from '../ingest/scrape/mapping-schema.js';

/** Pseudo secret_file name that resolves to the demo's generated signing secret. */
export const DEMO_SECRET_REF = '<demo>';

export interface DemoOrchestrator {
  /** Receiver URL for coordination.actions.default. */
  readonly url: string;
  /** whsec_ signing secret shared by the exporter and the receiver. */
  readonly secret: string;
  readonly receiver: CoordinationReceiver;
  attach(simulator: SimulatedSwarm): void;
}

/** Starts the demo orchestrator before the simulator exists; actions wait for `attach`. */
export async function startDemoOrchestrator(log: (message: string) => void): Promise<DemoOrchestrator> {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  let simulator: SimulatedSwarm | undefined;
  const target: ActionTarget = {
    get swarm() {
      return simulator?.swarm ?? 'demo';
    },
    restartAgent: (id) => simulator?.restartAgent(id) ?? false,
    applyBalancing: (plan) => simulator?.applyBalancing(plan) ?? { movedTasks: 0, moves: 0 },
    downAgents: () => simulator?.downAgents() ?? [],
  };
  const receiver = await startCoordinationReceiver({ simulator: target, secret, log });
  return {
    url: receiver.url,
    secret,
    receiver,
    attach(s) {
      simulator = s;
    },
  };
}

export interface EmbeddedDemoOptions {
  readonly exporterUrl: string;
  readonly orchestrator: DemoOrchestrator;
  readonly registry: AgentRegistry;
  readonly analysis: () => ReadonlyMap<string, SwarmAnalysis>;
  readonly seed: number;
  readonly stepMs: number;
  /** demo.time_scale: phases and hold times are the pack's `for:` times this factor. */
  readonly timeScale: number;
  /** demo.alerting: "off" leaves alerting to a real Prometheus + Alertmanager. */
  readonly alerting: 'embedded' | 'off';
  /** Pushes one window of scripted history with timestamps before playing live (0: none). */
  readonly backfillMs?: number;
  readonly ingestToken?: string;
  readonly webhookToken?: string;
  readonly log: (message: string) => void;
  /** Scrape mode: the simulator serves an exposition page and the exporter scrapes it with these. */
  readonly scrape?: Omit<ScraperDeps, 'announceAgent' | 'fetchImpl'>;
}

export interface EmbeddedDemo {
  readonly simulator: SimulatedSwarm;
  stop(): Promise<void>;
}

/** Starts the simulator (day scenario), in scrape mode its scraper, and the demo alerting once the exporter listens. */
export async function startEmbeddedDemo(options: EmbeddedDemoOptions): Promise<EmbeddedDemo> {
  const simulator = await startSimulatedSwarm({
    target: options.exporterUrl,
    scenario: 'day',
    seed: options.seed,
    phaseMs: phaseUnitMs(options.timeScale),
    ...(options.backfillMs !== undefined && options.backfillMs > 0 && { backfillMs: options.backfillMs }),
    ...(options.ingestToken !== undefined && { token: options.ingestToken }),
    ...(options.scrape !== undefined && { transport: 'scrape' as const }),
    log: options.log,
  });
  options.orchestrator.attach(simulator);
  let scraper: Scraper | undefined;
  if (options.scrape !== undefined && simulator.scrapeUrl !== undefined) {
    const target = targetsFromConfig([{ url: simulator.scrapeUrl, swarm: simulator.swarm, agent_label: 'agent' }]);
    const registry = options.registry;
    scraper = new Scraper(
      { intervalMs: options.stepMs, timeoutMs: options.stepMs, targets: target, fileSd: [], mapping: defaultScrapeMapping() },
      { ...options.scrape, announceAgent: (swarm, agent, update) => void registry.heartbeat(swarm, agent, update) },
    );
    scraper.start();
  }
  let loop: PeriodicTask | undefined;
  if (options.alerting === 'embedded') {
    const holds = Object.fromEntries(Object.keys(PACK_HOLD_MS).map((name) => [name, holdMs(name as PackAlert, options.timeScale)]));
    const alerts = new DemoAlertSource({
      registry: options.registry,
      analysis: options.analysis,
      target: options.exporterUrl,
      ...(options.webhookToken !== undefined && { token: options.webhookToken }),
      // The pack's own `for:` times, scaled like the day's phases.
      holdMs: holds,
      now: () => Date.now(),
      log: options.log,
    });
    loop = startPeriodic(() => alerts.evaluate(), {
      everyMs: options.stepMs,
      onError: (error) => options.log(`demo alerting failed: ${(error as Error).message}`),
    });
  }
  return {
    simulator,
    async stop() {
      await loop?.stop();
      await scraper?.stop();
      await simulator.stop();
      await options.orchestrator.receiver.close();
    },
  };
}
