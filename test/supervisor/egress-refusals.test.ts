import { describe, expect, it } from 'vitest';
import { EgressRefusals } from '../../src/supervisor/egress-refusals.js';

describe('EgressRefusals', () => {
  it('reports each destination once a minute, at most ten a minute, then one line saying more were refused', () => {
    const events: string[] = [];
    const refusals = new EgressRefusals((reason) => events.push(reason), 'ralph-x-W1-egress');
    refusals.report(
      { host: 'evil.example', port: 443, reason: 'evil.example:443 is not on the egress allow-list of agent W1' },
      0,
    );
    refusals.report({ host: 'evil.example', port: 443 }, 30_000);
    expect(events).toEqual(['egress refused: evil.example:443 is not on the egress allow-list of agent W1']);
    for (let i = 0; i < 30; i++) refusals.report({ host: `h${i}.example`, port: 443 }, 40_000);
    expect(events).toHaveLength(11);
    expect(events.at(-1)).toBe(
      'egress refused: more destinations this minute (all in `docker logs ralph-x-W1-egress`)',
    );
    // A minute later the same destination is news again.
    refusals.report({ host: 'evil.example', port: 443 }, 61_000);
    expect(events.at(-1)).toBe('egress refused: evil.example:443');
  });
});
