import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset, type Dataset, type Sample } from '../../solver/dataset.js';
import { estimateSample } from '../../solver/estimator/estimate-sample.js';
import { DEFAULT_EXPERIMENT_CONFIG, FAST_EXPERIMENT_CONFIG } from '../../solver/experiment-config.js';
import { Heat2D } from '../../solver/heat2d.js';
import { distinctCandidates, scoreSample } from '../../solver/scoring.js';
import { fixturesDir } from '../helpers/cli.js';

const meta: Dataset['meta'] = { q_range: [0.5, 2], dt: 0.004 };

/** A noise-free sample made with the official simulator (Y_noisy = Y), short enough for a unit test. */
function cleanSample(
  id: string,
  sources: { x: number; y: number; q: number }[],
  sensors: [number, number][],
  bc: 'dirichlet' | 'neumann',
  kappa: number,
  nt = 200,
): Sample {
  const Y = new Heat2D({ kappa, bc, dt: meta.dt }).simulate(sources, sensors, nt);
  const rows = Array.from({ length: nt + 1 }, (_, n) =>
    Array.from(Y.subarray(n * sensors.length, (n + 1) * sensors.length)),
  );
  return {
    sample_id: id,
    n_sources: sources.length,
    sensors_xy: sensors,
    Y_noisy: rows,
    Y: rows,
    true_sources: sources,
    sample_metadata: { noise_std: 0, nt, kappa, bc, T0: 0 },
  };
}

/** Distance of the best candidate from the truth, sources matched in the cheaper order. */
function positionError(cand: number[][], truth: { x: number; y: number }[]): number {
  const d = (a: number[], b: { x: number; y: number }) => Math.hypot(a[0] - b.x, a[1] - b.y);
  if (truth.length === 1) return d(cand[0], truth[0]);
  return Math.min(
    Math.max(d(cand[0], truth[0]), d(cand[1], truth[1])),
    Math.max(d(cand[0], truth[1]), d(cand[1], truth[0])),
  );
}

const oneSource = cleanSample(
  'one',
  [{ x: 1.32, y: 0.61, q: 1.4 }],
  [
    [0.4, 0.3],
    [1.1, 0.8],
    [1.7, 0.25],
    [1.5, 0.55],
  ],
  'neumann',
  0.05,
);
const twoSources = cleanSample(
  'two',
  [
    { x: 0.45, y: 0.3, q: 1.7 },
    { x: 1.45, y: 0.7, q: 0.9 },
  ],
  [
    [0.3, 0.2],
    [0.7, 0.6],
    [1.3, 0.4],
    [1.7, 0.85],
    [1.0, 0.1],
  ],
  'dirichlet',
  0.1,
);

describe('estimateSample', () => {
  it('given a noise-free one-source sample, the best candidate is the true source and the sample scores ≥ 1.25', () => {
    const result = estimateSample(oneSource, meta, DEFAULT_EXPERIMENT_CONFIG, { seed: 1 });
    expect(positionError(result.candidates[0], oneSource.true_sources!)).toBeLessThan(0.01);
    expect(Math.abs(result.candidates[0][0][2] - 1.4)).toBeLessThan(0.02);
    expect(scoreSample(oneSource, meta, result.candidates).score).toBeGreaterThanOrEqual(1.25);
  });

  it('given a noise-free two-source sample, both sources are found and the sample scores ≥ 1.25', () => {
    const result = estimateSample(twoSources, meta, DEFAULT_EXPERIMENT_CONFIG, { seed: 1 });
    expect(positionError(result.candidates[0], twoSources.true_sources!)).toBeLessThan(0.02);
    expect(scoreSample(twoSources, meta, result.candidates).score).toBeGreaterThanOrEqual(1.25);
  });

  it('returns 1–3 candidates that the official rule keeps, each with one [x, y, q] per source inside the plate and q range', async () => {
    const dataset = await loadDataset(path.join(fixturesDir, 'synthetic-6.json'));
    for (const sample of dataset.samples.slice(2, 4)) {
      const { candidates } = estimateSample(
        sample,
        dataset.meta,
        { ...DEFAULT_EXPERIMENT_CONFIG, ...FAST_EXPERIMENT_CONFIG },
        { seed: 2 },
      );
      expect(candidates.length).toBeGreaterThanOrEqual(1);
      expect(candidates.length).toBeLessThanOrEqual(3);
      expect(distinctCandidates(candidates)).toEqual(candidates);
      for (const cand of candidates) {
        expect(cand).toHaveLength(sample.n_sources);
        for (const [x, y, q] of cand) {
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThanOrEqual(2);
          expect(y).toBeGreaterThanOrEqual(0);
          expect(y).toBeLessThanOrEqual(1);
          expect(q).toBeGreaterThanOrEqual(0.5);
          expect(q).toBeLessThanOrEqual(2);
        }
      }
    }
  });

  it('is deterministic for a seed: the same seed gives identical candidates', () => {
    const config = { ...DEFAULT_EXPERIMENT_CONFIG, ...FAST_EXPERIMENT_CONFIG };
    const a = estimateSample(twoSources, meta, config, { seed: 5 });
    const b = estimateSample(twoSources, meta, config, { seed: 5 });
    expect(b.candidates).toEqual(a.candidates);
    expect(b.simulations).toBe(a.simulations);
  });

  it('honours maxCandidates = 1 (a single best candidate)', () => {
    const { candidates } = estimateSample(
      oneSource,
      meta,
      { ...DEFAULT_EXPERIMENT_CONFIG, maxCandidates: 1 },
      { seed: 1 },
    );
    expect(candidates).toHaveLength(1);
  });

  it('given a very short run (nt = 30), still fits every step it has and finds the source', () => {
    const sample = cleanSample(
      'short',
      [{ x: 0.9, y: 0.5, q: 1.5 }],
      [
        [0.85, 0.45],
        [1.0, 0.6],
        [0.8, 0.6],
      ],
      'neumann',
      0.1,
      30,
    );
    const { candidates } = estimateSample(sample, meta, DEFAULT_EXPERIMENT_CONFIG, { seed: 1 });
    expect(positionError(candidates[0], sample.true_sources!)).toBeLessThan(0.02);
  });

  it('given a three-source sample, returns candidates with three sources each', () => {
    const sample = cleanSample(
      'three',
      [
        { x: 0.4, y: 0.3, q: 1.2 },
        { x: 1.0, y: 0.7, q: 1.6 },
        { x: 1.6, y: 0.4, q: 0.9 },
      ],
      [
        [0.3, 0.2],
        [0.9, 0.8],
        [1.5, 0.3],
        [1.2, 0.5],
      ],
      'dirichlet',
      0.1,
      100,
    );
    const { candidates } = estimateSample(
      sample,
      meta,
      { ...DEFAULT_EXPERIMENT_CONFIG, ...FAST_EXPERIMENT_CONFIG, maxCandidates: 1 },
      { seed: 1 },
    );
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toHaveLength(3);
  });

  it('removes a non-zero initial temperature before fitting (the readings stay linear in q)', () => {
    const sensors: [number, number][] = [
      [0.5, 0.5],
      [1.5, 0.6],
      [1.0, 0.2],
      [0.3, 0.9],
    ];
    const source = { x: 0.8, y: 0.45, q: 1.2 };
    const Y = new Heat2D({ kappa: 0.1, bc: 'neumann', dt: meta.dt }).simulate([source], sensors, 150, { T0: 0.4 });
    const rows = Array.from({ length: 151 }, (_, n) => Array.from(Y.subarray(n * 4, n * 4 + 4)));
    const sample: Sample = {
      sample_id: 'warm',
      n_sources: 1,
      sensors_xy: sensors,
      Y_noisy: rows,
      Y: rows,
      sample_metadata: { noise_std: 0, nt: 150, kappa: 0.1, bc: 'neumann', T0: 0.4 },
    };
    const { candidates } = estimateSample(sample, meta, DEFAULT_EXPERIMENT_CONFIG, { seed: 1 });
    expect(positionError(candidates[0], [source])).toBeLessThan(0.01);
    expect(Math.abs(candidates[0][0][2] - 1.2)).toBeLessThan(0.02);
  });
});
