// Test copies of the pack's configs: same routing, rules and inhibitions, with loopback targets and short timings.
import { readFileSync } from 'node:fs';
import { parse as parseYaml, stringify } from 'yaml';
import { ALERTMANAGER_CONFIG, alertRuleFiles, recordingRuleFiles } from './pack.js';

/** The parts of alerts/alertmanager.yml the test copies rewrite (here and in scaled-pack.ts). */
interface Receiver {
  name: string;
  webhook_configs?: { url: string; http_config?: { authorization?: { credentials_file?: string } } }[];
}

export interface AlertmanagerRoute {
  receiver: string;
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: AlertmanagerRoute[];
}

export interface AlertmanagerConfig {
  route: AlertmanagerRoute;
  receivers: Receiver[];
  inhibit_rules: unknown[];
}

export interface AlertmanagerTestOptions {
  /** Replaces http://agentswarm-exporter:10464/api/v1/alerts. */
  readonly webhookUrl: string;
  /** Replaces the bearer token file path. */
  readonly tokenFile: string;
  /** If set, the placeholder pager receiver posts here, so tests can see what pages. */
  readonly pagerUrl?: string;
  /** group_wait / group_interval for every route (default 1s). */
  readonly timing?: string;
}

/** alerts/alertmanager.yml with only the addresses, the token path and the timings changed. */
export function alertmanagerTestConfig(options: AlertmanagerTestOptions): string {
  const config = parseYaml(readFileSync(ALERTMANAGER_CONFIG, 'utf8')) as AlertmanagerConfig;
  const timing = options.timing ?? '1s';
  const shorten = (route: AlertmanagerRoute): void => {
    route.group_wait = timing;
    route.group_interval = timing;
    route.routes?.forEach(shorten);
  };
  shorten(config.route);
  for (const receiver of config.receivers) {
    for (const webhook of receiver.webhook_configs ?? []) {
      if (webhook.url !== 'http://agentswarm-exporter:10464/api/v1/alerts') throw new Error(`unexpected webhook url ${webhook.url}`);
      webhook.url = options.webhookUrl;
      const auth = webhook.http_config?.authorization;
      if (auth?.credentials_file === undefined) throw new Error('webhook without a credentials_file');
      auth.credentials_file = options.tokenFile;
    }
    if (receiver.name === 'pager' && options.pagerUrl !== undefined) {
      receiver.webhook_configs = [{ url: options.pagerUrl }];
    }
  }
  return stringify(config);
}

export interface RuleCopy {
  /** File name for the copy. */
  readonly name: string;
  readonly text: string;
}

/**
 * The pack's rule files with every `for:` divided by `forDivisor` (rounded up to whole
 * seconds, at least 1s), so that an end-to-end test sees alerts fire within seconds.
 */
export function shortenedRuleFiles(forDivisor: number): RuleCopy[] {
  return [...recordingRuleFiles(), ...alertRuleFiles()].map((file) => {
    const text = file.text.replace(/^(\s+for: )(\d+)([smh])$/gm, (_all, prefix: string, n: string, unit: string) => {
      const seconds = Number(n) * (unit === 'h' ? 3600 : unit === 'm' ? 60 : 1);
      return `${prefix}${Math.max(1, Math.ceil(seconds / forDivisor))}s`;
    });
    return { name: file.path.split('/').pop() ?? 'rules.yml', text };
  });
}

export interface PrometheusTestOptions {
  /** host:port replacing each compose hostname of prometheus.yml. */
  readonly exporter: string;
  readonly alertmanager: string;
  readonly prometheus: string;
  /** rule_files entries (absolute paths or globs) replacing the pack's relative ones. */
  readonly ruleFiles: readonly string[];
  /** Scrape and evaluation interval (default 1s). */
  readonly interval?: string;
}

interface PrometheusConfig {
  global: Record<string, string>;
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
}

/** prometheus/prometheus.yml with loopback targets, short intervals and the given rule files. */
export function prometheusTestConfig(path: string, options: PrometheusTestOptions): string {
  const config = parseYaml(readFileSync(path, 'utf8')) as PrometheusConfig;
  const interval = options.interval ?? '1s';
  config.global = { ...config.global, scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval };
  config.rule_files = [...options.ruleFiles];
  const hosts: Readonly<Record<string, string>> = {
    'agentswarm-exporter:10464': options.exporter,
    'alertmanager:9093': options.alertmanager,
    'localhost:9090': options.prometheus,
  };
  const retarget = (target: string): string => {
    const replacement = hosts[target];
    if (replacement === undefined) throw new Error(`prometheus.yml has an unexpected target ${target}`);
    return replacement;
  };
  for (const am of config.alerting.alertmanagers) for (const sc of am.static_configs) sc.targets = sc.targets.map(retarget);
  for (const job of config.scrape_configs) for (const sc of job.static_configs) sc.targets = sc.targets.map(retarget);
  return stringify(config);
}
