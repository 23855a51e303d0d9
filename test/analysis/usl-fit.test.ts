import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitUsl, uslThroughput, type UslPoint } from '../../src/analysis/usl-fit.js';

interface UslCase {
  name: string;
  truth: { lambda: number; sigma: number; kappa: number };
  agents: number[];
  throughput: number[];
  scipy: { lambda: number; sigma: number; kappa: number; sse: number; r2: number };
}

const cases = JSON.parse(readFileSync(new URL('../fixtures/swarm/usl.json', import.meta.url), 'utf8')) as UslCase[];
const pointsOf = (c: UslCase): UslPoint[] => c.agents.map((agents, i) => ({ agents, throughput: c.throughput[i] as number }));

describe('fitUsl', () => {
  it.each(cases.map((c) => [c.name, c] as const))('finds the same least-squares optimum as scipy curve_fit (%s)', (_name, c) => {
    const fit = fitUsl(pointsOf(c));
    expect(fit).toBeDefined();
    if (!fit) return;
    const sse = c.agents.reduce((acc, n, i) => acc + ((c.throughput[i] as number) - uslThroughput(fit, n)) ** 2, 0);
    // The same minimum: the residual agrees to 1e-6 relative (or both are ~0), the parameters closely.
    expect(sse).toBeLessThanOrEqual(c.scipy.sse * (1 + 1e-6) + 1e-12);
    expect(fit.lambda).toBeCloseTo(c.scipy.lambda, 4);
    expect(fit.sigma).toBeCloseTo(c.scipy.sigma, 5);
    expect(fit.kappa).toBeCloseTo(c.scipy.kappa, 6);
    expect(fit.r2).toBeCloseTo(c.scipy.r2, 6);
  });

  it.each(cases.map((c) => [c.name, c] as const))(
    'recovers the true σ, κ and N* within 10 % where the data identify them (%s)',
    (_name, c) => {
      const fit = fitUsl(pointsOf(c));
      if (!fit) throw new Error('no fit');
      const { sigma, kappa } = c.truth;
      // Identified at the 10 % level: two standard errors below 10 % of the estimate.
      if (fit.sigmaStdErr === 0 || 2 * fit.sigmaStdErr < 0.1 * fit.sigma)
        expect(Math.abs(fit.sigma - sigma)).toBeLessThanOrEqual(0.1 * sigma + 1e-12);
      if (kappa === 0) {
        expect(fit.peakAgents).toBeUndefined(); // no coherency cost: throughput never falls
      } else if (2 * fit.kappaStdErr < 0.1 * fit.kappa) {
        expect(Math.abs(fit.kappa - kappa)).toBeLessThanOrEqual(0.1 * kappa);
        const truePeak = Math.sqrt((1 - sigma) / kappa);
        expect(fit.peakAgents).toBeDefined();
        expect(Math.abs((fit.peakAgents ?? 0) - truePeak)).toBeLessThanOrEqual(0.1 * truePeak);
      }
    },
  );

  it('identifies the coherency-bound swarm well enough to check it (the 10 % test above is not vacuous)', () => {
    const c = cases.find((k) => k.name === 'coherency-bound');
    const fit = c && fitUsl(pointsOf(c));
    expect(fit && 2 * fit.kappaStdErr < 0.1 * fit.kappa).toBe(true);
    expect(fit && 2 * fit.sigmaStdErr < 0.1 * fit.sigma).toBe(true);
  });

  it('is absent when the history has too few distinct agent counts', () => {
    const points: UslPoint[] = [];
    for (let i = 0; i < 50; i++)
      for (const agents of [4, 8, 16]) points.push({ agents, throughput: uslThroughput({ lambda: 2, sigma: 0.05, kappa: 0.002 }, agents) });
    expect(fitUsl(points)).toBeUndefined();
    expect(fitUsl([])).toBeUndefined();
    expect(fitUsl(Array.from({ length: 30 }, () => ({ agents: 10, throughput: 5 })))).toBeUndefined();
  });

  it('ignores non-finite, non-positive agent counts and negative throughput', () => {
    const c = cases[0] as UslCase;
    const clean = fitUsl(pointsOf(c));
    const dirty = fitUsl([
      ...pointsOf(c),
      { agents: Number.NaN, throughput: 3 },
      { agents: 0, throughput: 1 },
      { agents: 5, throughput: -1 },
      { agents: 7, throughput: Infinity },
    ]);
    expect(dirty?.sigma).toBeCloseTo(clean?.sigma ?? Number.NaN, 12);
    expect(dirty?.points).toBe(clean?.points);
  });

  it('is absent when no throughput was ever positive', () => {
    expect(fitUsl([1, 2, 3, 4, 5].map((agents) => ({ agents, throughput: 0 })))).toBeUndefined();
  });
});
