import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/parse-config.js';
import { formatDuration, parseDuration } from '../../src/config/duration.js';
import { loadConfig } from '../../src/main.js';

const io = {
  out: () => undefined,
  exit: (code: number): never => {
    throw new Error(`exit ${code}`);
  },
};

function problemsOf(text: string): string[] {
  try {
    parseConfigText(text, 'test.yml');
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('gives every key its documented default when the file is empty', () => {
    const config = parseConfigText('');
    expect(config.web.listen_address).toBe(':10464');
    expect(config.web.telemetry_path).toBe('/metrics');
    expect(config.agents).toEqual({ heartbeat_timeout: 45_000, expire_after: 600_000, max_agents: 5000, max_custom_metrics: 64 });
    expect(config.analysis.step).toBe(15_000);
    expect(config.analysis.window).toBe(1_800_000);
    // Within the 30m window: a horizon beyond it is not served (changed from 1h on purpose, issue 11).
    expect(config.analysis.forecast_horizons).toEqual([300_000, 900_000, 1_800_000]);
    expect(config.analysis.scaling_target_utilization).toBe(0.7);
    expect(config.coordination.concurrency).toBe(5);
    expect(config.coordination.max_attempts).toBe(4);
    expect(config.coordination.backoff).toEqual({ initial: 1000, max: 300_000 });
    expect(config.demo.enabled).toBe(false);
  });

  it('is frozen so nothing can change it after start-up', () => {
    const config = parseConfigText('');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.agents)).toBe(true);
  });

  it('lists every bad key in one error with expected versus got', () => {
    const problems = problemsOf(
      [
        'web:',
        '  listen_address: 12',
        'agents:',
        '  max_agents: "many"',
        '  bogus: 1',
        'analysis:',
        '  step: 15x',
        'log: {level: loud}',
        'extra: true',
      ].join('\n'),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'web.listen_address: expected string, got 12',
        'agents.max_agents: expected number, got "many"',
        'agents.bogus: unknown key',
        'analysis.step: expected a Prometheus duration such as "15s" or "5m", got "15x"',
        'log.level: expected one of "debug", "info", "warn", "error", got "loud"',
        'extra: unknown key',
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it.each([
    ['analysis:\n  step: 500ms', 'analysis.step: expected a duration between 1000 ms and 300000 ms, got "500ms"'],
    ['analysis:\n  step: 10s\n  window: 15s', 'analysis.window: expected at least two steps (>= 20000 ms), got 15000 ms'],
    ['agents:\n  heartbeat_timeout: 1m\n  expire_after: 30s', 'agents.expire_after: expected expire_after >= heartbeat_timeout'],
    ['coordination:\n  actions:\n    default: {url: "ftp://x"}', 'coordination.actions.default.url'],
    ['coordination:\n  schedules: [{cron: "* * * * *", type: nonsense}]', 'coordination.schedules.0.type: expected one of'],
    ['web:\n  listen_address: "nope"', 'web.listen_address'],
  ])('rejects %j', (text, expected) => {
    expect(problemsOf(text).join('\n')).toContain(expected);
  });

  it('rejects YAML that is not a mapping or not YAML', () => {
    expect(problemsOf('- a\n- b')[0]).toContain('expected a mapping');
    expect(problemsOf('web: [unclosed')[0]).toContain('not valid YAML');
  });

  it('applies flag over environment over file over default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.yml');
    writeFileSync(file, 'web:\n  listen_address: ":1111"\n  telemetry_path: /file\nlog:\n  level: warn\n');
    const env = {
      AGENTSWARM_EXPORTER_WEB_LISTEN_ADDRESS: ':2222',
      AGENTSWARM_EXPORTER_LOG_LEVEL: 'debug',
      AGENTSWARM_EXPORTER_DEMO: 'true',
    };
    const config = loadConfig(['--config.file', file, '--web.listen-address', ':3333'], env, '0.0.0', io);
    expect(config.web.listen_address).toBe(':3333');
    expect(config.log.level).toBe('debug');
    expect(config.web.telemetry_path).toBe('/file');
    expect(config.log.format).toBe('logfmt');
    expect(config.demo.enabled).toBe(true);
  });

  it('names the flag when a file cannot be read', () => {
    expect(() => loadConfig(['--config.file', '/nonexistent/x.yml'], {}, '0', io)).toThrow(
      /--config.file: cannot read \/nonexistent\/x.yml: no such file \(ENOENT\)/,
    );
  });
});

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['15s', 15_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['7d', 604_800_000],
    ['0', 0],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '15', '1.5s', 's', '5m1h', '-1s', '15 s'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('formats back the Prometheus way', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(1500)).toBe('1s500ms');
  });
});

describe('example configuration', () => {
  it('parses and spells out exactly the defaults', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(join(import.meta.dirname, '../../agentswarm-exporter.example.yml'), 'utf8');
    expect(JSON.stringify(parseConfigText(text))).toBe(JSON.stringify(parseConfigText('')));
  });

  it('treats a section left with only comments as unset', () => {
    expect(parseConfigText('web:\n  auth:\n    # ingest_token_file: x\n').web.auth).toEqual({});
  });
});
