import { describe, expect, it } from 'vitest';
import { CHUNK_CHARS, familyChunks, sampleLine } from '../../src/exposition/family-chunks.js';
import { familyHeader } from '../../src/exposition/text-writer.js';
import { METRICS } from '../../src/model/metric-catalogue.js';

const spec = METRICS.agentAnomalyScore;
const lineOf = (swarm: string, i: number): string =>
  sampleLine(
    spec.name,
    [
      ['swarm', swarm],
      ['agent', `agent-${i}`],
    ],
    i / 7,
  );

describe('familyChunks', () => {
  it('joins to the header once and every line in snapshot order, in chunks of about CHUNK_CHARS', () => {
    const snaps = [
      { swarm: 'a', n: 20_000 },
      { swarm: 'b', n: 3 },
    ];
    const chunks = [
      ...familyChunks(spec, snaps, function* (s) {
        for (let i = 0; i < s.n; i++) yield lineOf(s.swarm, i);
      }),
    ];
    const expected = familyHeader(spec) + snaps.map((s) => Array.from({ length: s.n }, (_, i) => lineOf(s.swarm, i)).join('')).join('');
    expect(chunks.join('')).toBe(expected);
    expect(chunks.length).toBeGreaterThan(expected.length / (2 * CHUNK_CHARS));
    const longestLine = Math.max(...expected.split('\n').map((l) => l.length + 1));
    for (const chunk of chunks) expect(chunk.length).toBeLessThan(CHUNK_CHARS + longestLine + familyHeader(spec).length);
    expect(chunks.filter((c) => c.includes('# TYPE '))).toHaveLength(1);
  });

  it('yields nothing, not even the header, when no snapshot has a finite value', () => {
    const chunks = [...familyChunks(spec, [1, 2], () => [sampleLine(spec.name, [['swarm', 's']], Number.NaN), ''])];
    expect(chunks).toEqual([]);
  });

  it('builds the lines lazily: the first chunk is out before most lines are made', () => {
    let made = 0;
    const chunks = familyChunks(spec, [{ swarm: 's' }], function* (s) {
      for (let i = 0; i < 50_000; i++) {
        made += 1;
        yield lineOf(s.swarm, i);
      }
    });
    expect(chunks.next().done).toBe(false);
    expect(made).toBeLessThan(5_000);
  });
});
