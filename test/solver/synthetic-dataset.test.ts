import { describe, expect, it } from 'vitest';
import { Dataset } from '../../solver/dataset.js';
import { GENERATION, MIX, drawSampleSpecs, generateDataset } from '../../solver/synthetic-dataset.js';
import { Heat2D } from '../../solver/heat2d.js';
import { createRng } from '../../solver/rng.js';

function share<T>(values: T[], value: T): number {
  return values.filter((v) => JSON.stringify(v) === JSON.stringify(value)).length / values.length;
}

describe('synthetic datasets follow the competition mix', () => {
  const specs = drawSampleSpecs(400, 11);

  it('has the (n_sources, n_sensors), nt, kappa, bc and noise proportions of the spec on 400 samples', () => {
    const checks: [string, unknown[], { value: unknown; weight: number }[]][] = [
      ['shape', specs.map((s) => [s.n_sources, s.sensors_xy.length]), MIX.shape],
      ['nt', specs.map((s) => s.sample_metadata.nt), MIX.nt],
      ['kappa', specs.map((s) => s.sample_metadata.kappa), MIX.kappa],
      ['bc', specs.map((s) => s.sample_metadata.bc), MIX.bc],
      ['noise', specs.map((s) => s.sample_metadata.noise_std), MIX.noise],
    ];
    for (const [name, values, mix] of checks) {
      for (const { value, weight } of mix) {
        expect(Math.abs(share(values, value) - weight), `${name} ${JSON.stringify(value)}`).toBeLessThanOrEqual(0.01);
      }
      expect(new Set(values.map((v) => JSON.stringify(v))).size, name).toBe(mix.length);
    }
  });

  it('keeps sources and sensors inside the 5% margin, sources ≥ 0.07 apart, q in [0.5, 2], on for the whole run', () => {
    const inside = ([x, y]: [number, number]) => x >= 0.1 && x <= 1.9 && y >= 0.05 && y <= 0.95;
    for (const s of specs) {
      expect(s.true_sources).toHaveLength(s.n_sources);
      for (const src of s.true_sources) {
        expect(inside([src.x, src.y])).toBe(true);
        expect(src.q).toBeGreaterThanOrEqual(0.5);
        expect(src.q).toBeLessThanOrEqual(2);
        expect(src.on).toEqual([0, s.sample_metadata.nt * GENERATION.dt]);
      }
      for (const sensor of s.sensors_xy) expect(inside(sensor)).toBe(true);
      if (s.n_sources === 2) {
        const [a, b] = s.true_sources;
        expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThanOrEqual(0.07);
      }
      expect(s.sample_metadata.T0).toBe(0);
    }
  });

  it('given sources: 3, every sample has three sources ≥ 0.07 apart and the two-source shapes’ 3–6 sensors', () => {
    const three = drawSampleSpecs(60, 11, 3);
    expect(three.every((s) => s.n_sources === 3 && s.true_sources.length === 3)).toBe(true);
    expect(new Set(three.map((s) => s.sensors_xy.length))).toEqual(new Set([3, 4, 5, 6]));
    for (const {
      true_sources: [a, b, c],
    } of three) {
      for (const [p, q] of [
        [a, b],
        [a, c],
        [b, c],
      ])
        expect(Math.hypot(p.x - q.x, p.y - q.y)).toBeGreaterThanOrEqual(0.07);
    }
  });

  it('is reproducible for a seed and differs between seeds', () => {
    expect(drawSampleSpecs(50, 11)).toEqual(drawSampleSpecs(50, 11));
    expect(drawSampleSpecs(50, 12)).not.toEqual(drawSampleSpecs(50, 11));
    const rng = createRng(3);
    const again = createRng(3);
    const draws = Array.from({ length: 5 }, () => rng.next());
    expect(draws).toEqual(Array.from({ length: 5 }, () => again.next()));
    expect(draws.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});

describe('generated readings', () => {
  const dataset = generateDataset({ samples: 5, seed: 4 });

  it('is a valid dataset whose clean Y is the simulator output of the true sources', () => {
    expect(Dataset.safeParse(dataset).success).toBe(true);
    const sample = dataset.samples[0];
    const { kappa, bc, nt } = sample.sample_metadata;
    const Y = new Heat2D({ kappa, bc, dt: dataset.meta.dt }).simulate(sample.true_sources!, sample.sensors_xy, nt);
    expect(sample.Y!.flat()).toEqual(Array.from(Y));
  });

  it('adds Gaussian noise of the sample’s noise_std (none when it is 0)', () => {
    for (const sample of dataset.samples) {
      const diffs = sample.Y_noisy.flat().map((v, k) => v - sample.Y!.flat()[k]);
      const std = Math.sqrt(diffs.reduce((s, d) => s + d * d, 0) / diffs.length);
      if (sample.sample_metadata.noise_std === 0) expect(std).toBe(0);
      else expect(Math.abs(std / sample.sample_metadata.noise_std - 1)).toBeLessThan(0.1);
    }
    expect(generateDataset({ samples: 1, seed: 9 })).toEqual(generateDataset({ samples: 1, seed: 9 }));
  });
});
