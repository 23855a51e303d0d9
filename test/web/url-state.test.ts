// The selection kept in the URL: read back exactly as written, malformed parts ignored.
import { describe, expect, it } from 'vitest';
import { readSelection, selectionQuery } from '../../src/web/url-state.js';

describe('url-state', () => {
  it('round-trips a selection, names with URL-special characters included', () => {
    const selection = { swarm: 'prod:eu-1', metric: 'queue_depth', agent: { swarm: 'prod:eu-1', agent: 'planner.1&x' } };
    const query = selectionQuery(selection);
    expect(query).toBe('?swarm=prod%3Aeu-1&metric=queue_depth&agent=prod%3Aeu-1%2Fplanner.1%26x');
    expect(readSelection(query)).toEqual(selection);
  });

  it('writes nothing for an empty selection and reads an empty query as no selection', () => {
    expect(selectionQuery({ swarm: null, metric: null, agent: null })).toBe('');
    expect(readSelection('')).toEqual({ swarm: null, metric: null, agent: null });
  });

  it.each(['agent=alpha', 'agent=%2Falpha', 'agent=demo%2F', 'agent=a%2Fb%2Fc', `agent=demo%2F${'x'.repeat(300)}`])(
    'ignores a malformed agent (%s)',
    (query) => {
      expect(readSelection(`?${query}&swarm=demo`)).toEqual({ swarm: 'demo', metric: null, agent: null });
    },
  );
});
