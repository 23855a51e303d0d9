import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrometheusApi } from '../../../src/ingest/query/prometheus-api.js';
import { type FakePrometheus, matrix, startFakePrometheus, vector } from './fake-prometheus.js';

let fake: FakePrometheus;
beforeEach(async () => {
  fake = await startFakePrometheus();
});
afterEach(() => fake.close());

const api = (timeoutMs = 2000) =>
  new PrometheusApi({ baseUrl: `${fake.url}/`, headers: { 'X-Scope-OrgID': 'team-a', authorization: 'Bearer t' }, timeoutMs });

describe('PrometheusApi', () => {
  it('POSTs an instant query under the base path with the tenant and auth headers', async () => {
    fake.answer = () => vector([{ labels: { agent: 'a' }, value: [1767225600.5, '0.25'] }]);
    const outcome = await api().instant('sum by (agent) (up)', 1767225600500);
    expect(outcome).toEqual({ ok: true, series: [{ labels: { agent: 'a' }, points: [[1767225600500, 0.25]] }] });
    const request = fake.requests[0]!;
    expect(request.path).toBe('/prefix/api/v1/query');
    expect(request.params).toMatchObject({ query: 'sum by (agent) (up)', time: '1767225600.500' });
    expect(request.headers['x-scope-orgid']).toBe('team-a');
    expect(request.headers['authorization']).toBe('Bearer t');
  });

  it('reads a range query and drops NaN and infinite points', async () => {
    fake.answer = () =>
      matrix([
        {
          labels: { agent: 'a' },
          values: [
            [10, '1'],
            [11, 'NaN'],
            [12, '+Inf'],
            [13, '2'],
          ],
        },
      ]);
    const outcome = await api().range('x', 10_000, 13_000, 1000);
    expect(outcome).toEqual({
      ok: true,
      series: [
        {
          labels: { agent: 'a' },
          points: [
            [10_000, 1],
            [13_000, 2],
          ],
        },
      ],
    });
    expect(fake.requests[0]?.params).toMatchObject({ start: '10.000', end: '13.000', step: '1' });
    expect(fake.requests[0]?.path).toBe('/prefix/api/v1/query_range');
  });

  it.each([
    ['a PromQL error', () => ({ status: 400, body: { status: 'error', errorType: 'bad_data', error: 'parse error' } }), 'query_error'],
    ['an overloaded upstream', () => ({ status: 503, body: { status: 'error', errorType: 'unavailable', error: 'busy' } }), 'http_status'],
    ['a proxy error page', () => ({ status: 502, body: '<html>bad gateway</html>' }), 'http_status'],
    ['a 200 that is not JSON', () => ({ status: 200, body: 'hello' }), 'bad_response'],
    ['JSON that is not an API answer', () => ({ status: 200, body: { data: 1 } }), 'bad_response'],
    [
      'a scalar result',
      () => ({ status: 200, body: { status: 'success', data: { resultType: 'scalar', result: [1, '1'] } } }),
      'query_error',
    ],
    ['a dropped connection', () => 'close' as const, 'network'],
  ])('reports %s as a typed failure', async (_name, answer, reason) => {
    fake.answer = answer;
    expect(await api().instant('x', 0)).toMatchObject({ ok: false, reason });
  });

  it('gives up at the timeout when the upstream hangs', async () => {
    fake.answer = () => 'hang';
    const started = performance.now();
    expect(await api(200).instant('x', 0)).toMatchObject({ ok: false, reason: 'timeout' });
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
