import { describe, expect, it } from 'vitest';
import { planSamples, sampleSeed } from '../../solver/parallel/schedule.js';

const nSources = [1, 2, 1, 1, 2, 2, 1, 2, 1, 1];

describe('planSamples', () => {
  it('keeps dataset order without --shuffle, and --max-samples takes the first N', () => {
    expect(planSamples(nSources)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(planSamples(nSources, { maxSamples: 3 })).toEqual([0, 1, 2]);
  });

  it('with --shuffle picks a seeded subset and hands out 2-source samples first', () => {
    const plan = planSamples(nSources, { shuffle: true, seed: 5 });
    expect([...plan].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const kinds = plan.map((i) => nSources[i]);
    expect(kinds).toEqual([2, 2, 2, 2, 1, 1, 1, 1, 1, 1]);
    expect(planSamples(nSources, { shuffle: true, seed: 5 })).toEqual(plan);
    const subsets = new Set(
      [1, 2, 3, 4, 5, 6].map((seed) =>
        JSON.stringify(planSamples(nSources, { shuffle: true, seed, maxSamples: 4 }).sort()),
      ),
    );
    expect(subsets.size).toBeGreaterThan(1);
  });
});

describe('sampleSeed', () => {
  it('is a pure function of (run seed, sample index) and differs between samples and runs', () => {
    expect(sampleSeed(3, 7)).toBe(sampleSeed(3, 7));
    const seeds = new Set<number>();
    for (let run = 0; run < 20; run++) for (let index = 0; index < 50; index++) seeds.add(sampleSeed(run, index));
    expect(seeds.size).toBe(1000);
  });
});
