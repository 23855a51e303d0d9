import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseQueryConfig, upstreamHeaders } from '../../src/config/query-config.js';

const EXAMPLE = `
source: prometheus
url: https://mimir.example/prometheus
timeout: 5s
backfill: 30m
headers: { X-Scope-OrgID: team-a }
auth: { bearer_token_file: /run/secrets/token }
queries:
  cpu_usage: avg by (swarm, agent) (rate(process_cpu_seconds_total[1m]))
  queue_depth: sum by (swarm, agent) (agent_queue_depth)
`;

describe('parseQueryConfig', () => {
  it('reads the documented example with defaults', () => {
    const parsed = parseQueryConfig(parseYaml(EXAMPLE));
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    expect(parsed.config).toMatchObject({
      source: 'prometheus',
      url: 'https://mimir.example/prometheus',
      timeout: 5000,
      backfill: 1_800_000,
      swarm: 'default',
      agent_label: 'agent',
      swarm_label: 'swarm',
    });
    expect(parsed.config.step).toBeUndefined();
    expect(Object.keys(parsed.config.queries)).toEqual(['cpu_usage', 'queue_depth']);
  });

  it.each([
    ['a missing url', { queries: { cpu_usage: 'x' } }, 'query.url'],
    ['another source', { source: 'influx', url: 'http://p:9090', queries: { cpu_usage: 'x' } }, 'query.source'],
    ['no queries', { url: 'http://p:9090', queries: {} }, 'query.queries'],
    ['a bad metric name', { url: 'http://p:9090', queries: { 'CPU usage': 'x' } }, 'query.queries.CPU usage'],
    ['a bad duration', { url: 'http://p:9090', timeout: '5 seconds', queries: { cpu_usage: 'x' } }, 'query.timeout'],
    ['a step below 1s', { url: 'http://p:9090', step: '500ms', queries: { cpu_usage: 'x' } }, 'query.step'],
    [
      'both auth kinds',
      {
        url: 'http://p:9090',
        auth: { bearer_token_file: 'a', basic_auth: { username: 'u', password_file: 'p' } },
        queries: { cpu_usage: 'x' },
      },
      'query.auth',
    ],
    ['an unknown key', { url: 'http://p:9090', queries: { cpu_usage: 'x' }, tenant: 'a' }, 'query'],
    [
      'a bad header name',
      { url: 'http://p:9090', headers: { 'bad header': 'x' }, queries: { cpu_usage: 'x' } },
      'query.headers.bad header',
    ],
  ])('rejects %s, naming the key', (_name, raw, key) => {
    const parsed = parseQueryConfig(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.some((p) => p.startsWith(key))).toBe(true);
  });
});

describe('upstreamHeaders', () => {
  const files: Record<string, string> = { '/run/secrets/token': 's3cret\n', '/run/secrets/pw': 'pa:ss\n' };
  const readText = (path: string): string => files[path] ?? '';

  it('sends custom headers and a bearer token read from its file', () => {
    const parsed = parseQueryConfig(parseYaml(EXAMPLE));
    if (!parsed.ok) throw new Error('bad');
    expect(upstreamHeaders(parsed.config, readText)).toEqual({ 'X-Scope-OrgID': 'team-a', authorization: 'Bearer s3cret' });
  });

  it('builds basic auth and lets it replace a hand-written Authorization header', () => {
    const parsed = parseQueryConfig({
      url: 'http://p:9090',
      headers: { Authorization: 'Bearer old' },
      auth: { basic_auth: { username: 'reader', password_file: '/run/secrets/pw' } },
      queries: { cpu_usage: 'x' },
    });
    if (!parsed.ok) throw new Error('bad');
    expect(upstreamHeaders(parsed.config, readText)).toEqual({ authorization: `Basic ${Buffer.from('reader:pa:ss').toString('base64')}` });
  });
});
