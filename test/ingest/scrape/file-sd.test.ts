import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSdWatcher } from '../../../src/ingest/scrape/file-sd-watcher.js';
import { parseFileSd } from '../../../src/ingest/scrape/file-sd.js';

const silent = pino({ level: 'silent' });

describe('parseFileSd', () => {
  it('reads JSON target groups with our labels and Prometheus meta labels', () => {
    const text = JSON.stringify([
      { targets: ['agent-1:9000', 'agent-2:9000'], labels: { swarm: 's1', type: 'planner' } },
      {
        targets: ['gw:8443'],
        labels: { __scheme__: 'https', __metrics_path__: '/agents/metrics', __param_format: 'text', agent_label: 'agent_id', swarm: 's2' },
      },
    ]);
    const parsed = parseFileSd(text, '/etc/sd/agents.json');
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.targets).toEqual([
      { url: 'http://agent-1:9000/metrics', swarm: 's1', agent: { fixed: 'agent-1:9000' }, type: 'planner', origin: '/etc/sd/agents.json' },
      { url: 'http://agent-2:9000/metrics', swarm: 's1', agent: { fixed: 'agent-2:9000' }, type: 'planner', origin: '/etc/sd/agents.json' },
      { url: 'https://gw:8443/agents/metrics?format=text', swarm: 's2', agent: { label: 'agent_id' }, origin: '/etc/sd/agents.json' },
    ]);
  });

  it('reads YAML, a fixed agent label, and an empty file as no targets', () => {
    const parsed = parseFileSd('- targets: ["10.0.0.7:9100"]\n  labels: { agent: coder-7 }\n', 'x.yml');
    expect(parsed).toMatchObject({
      ok: true,
      targets: [{ url: 'http://10.0.0.7:9100/metrics', swarm: 'default', agent: { fixed: 'coder-7' } }],
    });
    expect(parseFileSd('', 'empty.yaml')).toEqual({ ok: true, targets: [] });
  });

  it.each([
    ['invalid JSON', '[{', 'a.json', 'not valid JSON'],
    ['a group without targets', '[{"labels":{}}]', 'a.json', '0.targets'],
    ['a target with a scheme', '[{"targets":["http://a:1"]}]', 'a.json', 'expected host:port'],
    ['a bad scheme', '[{"targets":["a:1"],"labels":{"__scheme__":"ftp"}}]', 'a.json', '__scheme__'],
    ['an unknown extension', '[]', 'a.txt', 'expected a .json'],
  ])('rejects %s with a reason naming the file', (_name, text, path, fragment) => {
    const parsed = parseFileSd(text, path);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason).toContain(path);
      expect(parsed.reason).toContain(fragment);
    }
  });
});

describe('FileSdWatcher', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'file-sd-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, targets: string[], mtimeSeconds: number): void => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify([{ targets }]));
    // Explicit mtimes: the test must not depend on the filesystem's timestamp resolution.
    utimesSync(path, mtimeSeconds, mtimeSeconds);
  };

  it('re-reads a file when its mtime changes and only then', async () => {
    write('a.json', ['a:1'], 1000);
    const watcher = new FileSdWatcher([join(dir, 'a.json')], silent);
    expect(await watcher.refresh()).toBe(true);
    expect(watcher.targets().map((t) => t.url)).toEqual(['http://a:1/metrics']);
    expect(await watcher.refresh()).toBe(false);
    write('a.json', ['a:2'], 2000);
    expect(await watcher.refresh()).toBe(true);
    expect(watcher.targets().map((t) => t.url)).toEqual(['http://a:2/metrics']);
  });

  it('keeps the last good targets when the file turns invalid, and recovers', async () => {
    write('a.json', ['a:1'], 1000);
    const watcher = new FileSdWatcher([join(dir, 'a.json')], silent);
    await watcher.refresh();
    writeFileSync(join(dir, 'a.json'), '[{"targets": [');
    utimesSync(join(dir, 'a.json'), 2000, 2000);
    expect(await watcher.refresh()).toBe(false);
    expect(watcher.targets().map((t) => t.url)).toEqual(['http://a:1/metrics']);
    write('a.json', ['b:1'], 3000);
    await watcher.refresh();
    expect(watcher.targets().map((t) => t.url)).toEqual(['http://b:1/metrics']);
  });

  it('follows a glob: new files add targets, deleted files drop theirs', async () => {
    write('one.json', ['a:1'], 1000);
    const watcher = new FileSdWatcher([join(dir, '*.json')], silent);
    await watcher.refresh();
    write('two.json', ['b:1'], 1000);
    expect(await watcher.refresh()).toBe(true);
    expect(watcher.targets().map((t) => t.url)).toEqual(['http://a:1/metrics', 'http://b:1/metrics']);
    rmSync(join(dir, 'one.json'));
    expect(await watcher.refresh()).toBe(true);
    expect(watcher.targets().map((t) => t.url)).toEqual(['http://b:1/metrics']);
  });

  it('treats a missing file as no targets without throwing', async () => {
    const watcher = new FileSdWatcher([join(dir, 'missing.json')], silent);
    await expect(watcher.refresh()).resolves.toBe(false);
    expect(watcher.targets()).toEqual([]);
  });
});
