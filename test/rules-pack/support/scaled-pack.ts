// The rules pack with time compressed by one factor: every `for:`, Alertmanager's group_wait/group_interval/repeat_interval
// and Prometheus's scrape/evaluation intervals scaled, nothing else rewritten; and a check that only those changed.
import { readFileSync } from 'node:fs';
import { parse as parseYaml, stringify } from 'yaml';
import { ALERTMANAGER_CONFIG, alertRuleFiles, durationMs, recordingRuleFiles } from './pack.js';
import {
  prometheusTestConfig,
  type AlertmanagerConfig,
  type AlertmanagerRoute,
  type PrometheusTestOptions,
  type RuleCopy,
} from './test-configs.js';

/** Keys whose values are durations the compression scales (rules, Alertmanager routes, Prometheus globals). */
export const SCALED_DURATION_KEYS: ReadonlySet<string> = new Set([
  'for',
  'group_wait',
  'group_interval',
  'repeat_interval',
  'scrape_interval',
  'scrape_timeout',
  'evaluation_interval',
]);

/** `ms` as a Prometheus/Alertmanager duration: whole seconds when exact, else milliseconds (both parse "333ms"). */
export function formatDuration(ms: number): string {
  const rounded = Math.max(1, Math.round(ms));
  return rounded % 1000 === 0 ? `${rounded / 1000}s` : `${rounded}ms`;
}

/** A duration text times `factor`, rounded to the millisecond. */
export function scaleDuration(text: string, factor: number): string {
  return formatDuration(durationMs(text) * factor);
}

/**
 * The pack's rule files (prometheus/rules and alerts) with the value of every `for:` line scaled.
 * The text is rewritten line by line, so comments and everything else stay byte for byte.
 */
export function scaledRuleFiles(factor: number): (RuleCopy & { readonly original: string })[] {
  return [...recordingRuleFiles(), ...alertRuleFiles()].map((file) => ({
    name: file.path.split('/').pop() ?? 'rules.yml',
    original: file.text,
    text: file.text.replace(/^(\s+for: )(\S+)$/gm, (_all, prefix: string, value: string) => `${prefix}${scaleDuration(value, factor)}`),
  }));
}

/** alerts/alertmanager.yml with every route timing scaled, and the exporter's address and token path replaced. */
export function scaledAlertmanagerConfig(factor: number, options: { readonly webhookUrl: string; readonly tokenFile: string }): string {
  const config = parseYaml(readFileSync(ALERTMANAGER_CONFIG, 'utf8')) as AlertmanagerConfig;
  const scale = (route: AlertmanagerRoute): void => {
    for (const key of ['group_wait', 'group_interval', 'repeat_interval'] as const) {
      const value = route[key];
      if (value !== undefined) route[key] = scaleDuration(value, factor);
    }
    route.routes?.forEach(scale);
  };
  scale(config.route);
  for (const receiver of config.receivers) {
    for (const webhook of receiver.webhook_configs ?? []) {
      webhook.url = options.webhookUrl;
      const auth = webhook.http_config?.authorization;
      if (auth?.credentials_file === undefined) throw new Error(`receiver ${receiver.name}: a webhook without a credentials_file`);
      auth.credentials_file = options.tokenFile;
    }
  }
  return stringify(config);
}

/** prometheus/prometheus.yml with loopback targets, the given rule files and its global intervals scaled. */
export function scaledPrometheusConfig(path: string, factor: number, options: Omit<PrometheusTestOptions, 'interval'>): string {
  const shipped = parseYaml(readFileSync(path, 'utf8')) as { global: Record<string, string> };
  const config = parseYaml(prometheusTestConfig(path, options)) as { global: Record<string, string> };
  const global: Record<string, string> = { ...shipped.global };
  for (const key of ['scrape_interval', 'scrape_timeout', 'evaluation_interval']) {
    const value = shipped.global[key];
    if (value !== undefined) global[key] = scaleDuration(value, factor);
  }
  config.global = global;
  return stringify(config);
}

/**
 * Paths (`a.b[0].c`) where `scaled` differs from `original` other than by a scaled duration: a
 * value under a SCALED_DURATION_KEYS key counts as unchanged when it is the original times
 * `factor` (within the millisecond the rounding allows). Anything else that differs is listed.
 */
export function differencesBeyondDurations(original: unknown, scaled: unknown, factor: number, path = ''): string[] {
  const key =
    path
      .split('.')
      .pop()
      ?.replace(/\[\d+\]$/, '') ?? '';
  if (SCALED_DURATION_KEYS.has(key) && typeof original === 'string' && typeof scaled === 'string') {
    return Math.abs(durationMs(scaled) - durationMs(original) * factor) <= 1 ? [] : [path];
  }
  if (Array.isArray(original) && Array.isArray(scaled)) {
    if (original.length !== scaled.length) return [path];
    return original.flatMap((item: unknown, i) => differencesBeyondDurations(item, scaled[i], factor, `${path}[${i}]`));
  }
  if (isRecord(original) && isRecord(scaled)) {
    const keys = [...new Set([...Object.keys(original), ...Object.keys(scaled)])].sort();
    return keys.flatMap((k) => differencesBeyondDurations(original[k], scaled[k], factor, path === '' ? k : `${path}.${k}`));
  }
  return Object.is(original, scaled) ? [] : [path];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
