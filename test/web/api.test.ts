// The page's API client over real HTTP (the real bearer middleware): token handling and results as data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_KEY, createApiClient, type Fetch, type TokenStorage } from '../../src/web/api.js';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';
import { analysisResponse, taskFixtures } from './support/fixtures.js';

const TOKEN = 'api-token-for-tests';

/** sessionStorage's contract, in memory. */
class MemoryStorage implements TokenStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

describe('status page API client', () => {
  let server: FixtureServer;
  const sameOrigin =
    (base: string): Fetch =>
    (path, init) =>
      fetch(`${base}${path}`, init);

  beforeAll(async () => {
    server = await startFixtureServer({ token: TOKEN });
  });
  afterAll(() => server.close());

  it('answers unauthorized without a token and sends no Authorization header', async () => {
    const api = createApiClient({ fetch: sameOrigin(server.url), storage: new MemoryStorage(), timeoutMs: 5_000 });
    expect(await api.agents()).toEqual({ kind: 'unauthorized' });
    expect(server.requests.at(-1)?.authorization).toBeUndefined();
  });

  it('sends the stored token as a bearer header and gets the data', async () => {
    const storage = new MemoryStorage();
    const api = createApiClient({ fetch: sameOrigin(server.url), storage, timeoutMs: 5_000 });
    api.setToken(`  ${TOKEN}\n`);
    expect(storage.getItem(TOKEN_KEY)).toBe(TOKEN);
    const result = await api.agents();
    expect(result.kind).toBe('ok');
    if (result.kind === 'ok') expect(result.data.agents.map((a) => a.agent)).toEqual(['alpha', 'beta', 'delta', 'epsilon', 'gamma']);
    expect(server.requests.at(-1)?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(api.hasToken()).toBe(true);
  });

  it('forgets a refused token so that the page asks again', async () => {
    const storage = new MemoryStorage();
    storage.setItem(TOKEN_KEY, 'rotated-away');
    const api = createApiClient({ fetch: sameOrigin(server.url), storage, timeoutMs: 5_000 });
    expect(await api.agents()).toEqual({ kind: 'unauthorized' });
    expect(storage.getItem(TOKEN_KEY)).toBeNull();
  });

  it('reads 404 as "not available" (a route this exporter does not serve yet), and the fixtures as data', async () => {
    const storage = new MemoryStorage();
    storage.setItem(TOKEN_KEY, TOKEN);
    const api = createApiClient({ fetch: sameOrigin(server.url), storage, timeoutMs: 5_000 });
    server.analysis = undefined;
    server.tasks = undefined;
    expect(await api.analysis()).toEqual({ kind: 'missing' });
    expect(await api.tasks(10)).toEqual({ kind: 'missing' });
    server.analysis = analysisResponse(server.clock.now());
    server.tasks = taskFixtures(server.clock.now());
    expect((await api.analysis()).kind).toBe('ok');
    expect((await api.tasks(10)).kind).toBe('ok');
    expect(server.requests.at(-1)?.path).toBe('/api/v1/coordination/tasks?limit=10');
  });

  const answering =
    (status: number, body: string): Fetch =>
    () =>
      Promise.resolve(new Response(body, { status, headers: { 'content-type': 'application/json' } }));

  it.each([
    ['a server error', answering(503, '{"error":"store: busy"}'), { kind: 'error', message: 'HTTP 503' }],
    ['a body that is not JSON', answering(200, '<html>'), { kind: 'error', message: 'not JSON' }],
    ['JSON of another shape', answering(200, '{"agents":{}}'), { kind: 'error', message: 'unexpected answer' }],
    ['an agent without an id', answering(200, '{"agents":[{"swarm":"s"}]}'), { kind: 'error', message: 'unexpected answer' }],
    ['a refused connection', () => Promise.reject(new TypeError('fetch failed')), { kind: 'error', message: 'connection failed' }],
    ['a timeout', () => Promise.reject(new DOMException('signal timed out', 'TimeoutError')), { kind: 'error', message: 'timed out' }],
  ])('turns %s into an error result instead of throwing', async (_what, fakeFetch, expected) => {
    const api = createApiClient({ fetch: fakeFetch, storage: new MemoryStorage(), timeoutMs: 5_000 });
    expect(await api.agents()).toEqual(expected);
  });

  it('works without storage (privacy settings): no token, no crash', async () => {
    const refusing: TokenStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => undefined,
      removeItem: () => undefined,
    };
    const api = createApiClient({ fetch: sameOrigin(server.url), storage: refusing, timeoutMs: 5_000 });
    expect(api.hasToken()).toBe(false);
    expect(await api.agents()).toEqual({ kind: 'unauthorized' });
  });
});
