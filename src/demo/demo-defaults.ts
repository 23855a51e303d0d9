// The config defaults of --demo: what the demo changes in the shipped defaults unless the user set it.
import { setPath } from '../config/parse-config.js';

/**
 * The demo plays minute-long phases: unless the user set them, it analyses every 2 s over 5 minutes
 * and declares an agent failed after 15 s, so every scripted event shows within a few steps; its
 * forecast horizons fit in that window (a horizon beyond the window is not served).
 */
export const DEMO_DEFAULTS: Readonly<Record<string, string | readonly string[]>> = {
  'analysis.step': '2s',
  // The shipped 30m window at the default demo.time_scale 0.1: the scripted day's phases are sized
  // for the pack's `for:` times against that window (a longer one dilutes a 10-minute bottleneck
  // below the alert bar, since its queue slope and latency median are window-wide).
  'analysis.window': '3m',
  'agents.heartbeat_timeout': '15s',
  // At most the window (a longer horizon is not served).
  'analysis.forecast_horizons': ['1m', '2m', '3m'],
  // The demo's tasks never mix with a real deployment's history (docs/demo.md).
  'storage.path': ':memory:',
};

/** Fills DEMO_DEFAULTS into the raw config (before validation) when demo.enabled is true; set keys win. */
export function applyDemoDefaults(raw: Record<string, unknown>): void {
  const demo = raw.demo as Record<string, unknown> | undefined;
  if (demo?.enabled !== true) return;
  for (const [key, value] of Object.entries(DEMO_DEFAULTS)) {
    const [section, name] = key.split('.') as [string, string];
    const current = raw[section] as Record<string, unknown> | undefined;
    if (current?.[name] === undefined) setPath(raw, key, value);
  }
}
