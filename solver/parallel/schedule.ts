// Which samples a run takes, in what order, and the seed each one gets.
import { createRng } from '../rng.js';

/**
 * A sample's own seed, from the run's seed and the sample's index in the dataset. Results then do not
 * depend on which worker ran the sample or in what order: any worker count gives the same candidates.
 */
export function sampleSeed(runSeed: number, sampleIndex: number): number {
  // One splitmix32 round over the pair: nearby (seed, index) pairs get unrelated streams.
  let z = (Math.imul(runSeed >>> 0, 0x9e3779b1) + Math.imul(sampleIndex + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Which samples run, in which order. Without `shuffle`: the first `maxSamples` in dataset order.
 * With `shuffle`: a seeded random subset, then the 2-source samples (about 2.5× slower) first, so the
 * run ends on short 1-source samples and every worker stays busy to the end (longest-first
 * scheduling); a plain dataset order can leave one worker finishing a 2-source sample alone.
 */
export function planSamples(
  nSources: readonly number[],
  opts: { shuffle?: boolean; maxSamples?: number; seed?: number } = {},
): number[] {
  let order = nSources.map((_, index) => index);
  if (opts.shuffle) {
    const rng = createRng(opts.seed ?? 0);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
  }
  if (opts.maxSamples !== undefined) order = order.slice(0, opts.maxSamples);
  if (opts.shuffle) order = [...order].sort((a, b) => nSources[b] - nSources[a]);
  return order;
}
