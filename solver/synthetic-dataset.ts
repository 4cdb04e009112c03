// Generates synthetic datasets with ground truth, mixed like the competition data.
import type { Dataset, Sample } from './dataset.js';
import { Heat2D, type Bc } from './heat2d.js';
import { createRng, type Rng } from './rng.js';

/**
 * The competition's mix of sample settings (source and sensor counts, nt, kappa, boundary, noise). Each
 * factor is allotted exactly in these proportions (largest remainder) and then shuffled, so a 400-sample set
 * has the official composition and timing projections made on it hold; factors are shuffled independently
 * of each other.
 */
export const MIX = {
  shape: [
    { value: [1, 2], weight: 0.1 },
    { value: [1, 3], weight: 0.1 },
    { value: [1, 4], weight: 0.1 },
    { value: [1, 5], weight: 0.1 },
    { value: [2, 3], weight: 0.2 },
    { value: [2, 4], weight: 0.2 },
    { value: [2, 5], weight: 0.1 },
    { value: [2, 6], weight: 0.1 },
  ] as { value: [number, number]; weight: number }[],
  nt: [
    { value: 800, weight: 0.54 },
    { value: 1000, weight: 0.15 },
    { value: 1200, weight: 0.31 },
  ],
  kappa: [
    { value: 0.05, weight: 0.45 },
    { value: 0.1, weight: 0.55 },
  ],
  bc: [
    { value: 'dirichlet' as Bc, weight: 0.5 },
    { value: 'neumann' as Bc, weight: 0.5 },
  ],
  noise: [
    { value: 0, weight: 0.2 },
    { value: 0.1, weight: 0.51 },
    { value: 0.15, weight: 0.29 },
  ],
};

export const GENERATION = {
  Lx: 2,
  Ly: 1,
  /** Sources and sensors lie inside this fraction of each side. */
  margin: 0.05,
  minSourceDistance: 0.07,
  qRange: [0.5, 2] as [number, number],
  dt: 0.004,
  T0: 0,
};

/** One sample's drawn settings and ground truth, before simulation. */
export interface SampleSpec {
  sample_id: string;
  n_sources: number;
  sensors_xy: [number, number][];
  true_sources: { x: number; y: number; q: number; on: [number, number] }[];
  sample_metadata: Sample['sample_metadata'];
}

/** Exactly round(weight·n) of each value (largest remainder), in a seeded random order. */
function allot<T>(options: { value: T; weight: number }[], n: number, rng: Rng): T[] {
  const exact = options.map((o) => o.weight * n);
  const counts = exact.map(Math.floor);
  const order = exact.map((e, k) => ({ k, rest: e - counts[k] })).sort((a, b) => b.rest - a.rest || a.k - b.k);
  for (let left = n - counts.reduce((a, b) => a + b, 0), i = 0; left > 0; left--, i++)
    counts[order[i % order.length].k]++;
  const values = options.flatMap((o, k) => new Array<T>(counts[k]).fill(o.value));
  for (let i = values.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return values;
}

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/**
 * Settings, sensors and true sources of `samples` samples; deterministic for a seed. `sources` (e.g. 3, which
 * the problem allows but the competition's mix never draws) gives every sample that many sources, with the
 * two-source shapes' sensor counts.
 */
export function drawSampleSpecs(samples: number, seed: number, sources?: number): SampleSpec[] {
  const rng = createRng(seed);
  const shapeMix =
    sources === undefined
      ? MIX.shape
      : MIX.shape
          .filter((o) => o.value[0] === Math.min(2, sources))
          .map((o) => ({ ...o, value: [sources, o.value[1]] as [number, number] }));
  const shapes = allot(shapeMix, samples, rng);
  const nts = allot(MIX.nt, samples, rng);
  const kappas = allot(MIX.kappa, samples, rng);
  const bcs = allot(MIX.bc, samples, rng);
  const noises = allot(MIX.noise, samples, rng);
  const { Lx, Ly, margin, minSourceDistance, qRange, dt, T0 } = GENERATION;
  const x = () => uniform(rng, margin * Lx, (1 - margin) * Lx);
  const y = () => uniform(rng, margin * Ly, (1 - margin) * Ly);
  return shapes.map(([nSources, nSensors], i) => {
    const nt = nts[i];
    const sources: SampleSpec['true_sources'] = [];
    while (sources.length < nSources) {
      const candidate = { x: x(), y: y(), q: uniform(rng, qRange[0], qRange[1]), on: [0, nt * dt] as [number, number] };
      if (sources.every((s) => Math.hypot(s.x - candidate.x, s.y - candidate.y) >= minSourceDistance))
        sources.push(candidate);
    }
    const sensors: [number, number][] = Array.from({ length: nSensors }, () => [x(), y()]);
    return {
      sample_id: `sample_${i}`,
      n_sources: nSources,
      sensors_xy: sensors,
      true_sources: sources,
      sample_metadata: { noise_std: noises[i], nt, kappa: kappas[i], bc: bcs[i], T0 },
    };
  });
}

/**
 * A synthetic dataset with ground truth, drawn like the competition's: clean readings `Y` from the
 * reference simulator and `Y_noisy` = Y + N(0, noise_std²) per reading.
 */
export function generateDataset(opts: {
  samples: number;
  seed: number;
  /** Sources per sample for every sample (default: the competition's mix of one and two). */
  sources?: number;
  onSample?: (done: number, total: number) => void;
}): Dataset {
  const specs = drawSampleSpecs(opts.samples, opts.seed, opts.sources);
  // Noise has its own stream so the drawn settings do not depend on how many readings were simulated.
  const noiseRng = createRng(opts.seed ^ 0x5bd1e995);
  const solvers = new Map<string, Heat2D>();
  const samples = specs.map((spec, index): Sample => {
    const { nt, kappa, bc, noise_std } = spec.sample_metadata;
    const key = `${kappa}|${bc}`;
    let solver = solvers.get(key);
    if (!solver) solvers.set(key, (solver = new Heat2D({ kappa, bc, dt: GENERATION.dt })));
    const flat = solver.simulate(spec.true_sources, spec.sensors_xy, nt, { T0: spec.sample_metadata.T0 });
    const m = spec.sensors_xy.length;
    const Y: number[][] = [];
    const Y_noisy: number[][] = [];
    for (let k = 0; k <= nt; k++) {
      const row = Array.from(flat.subarray(k * m, (k + 1) * m));
      Y.push(row);
      Y_noisy.push(row.map((v) => (noise_std > 0 ? v + noise_std * noiseRng.normal() : v)));
    }
    opts.onSample?.(index + 1, specs.length);
    // Key order of the official files.
    const { sample_id, n_sources, true_sources, sensors_xy, sample_metadata } = spec;
    return { sample_id, n_sources, true_sources, sensors_xy, Y, Y_noisy, sample_metadata };
  });
  return { samples, meta: { q_range: [...GENERATION.qRange] as [number, number], dt: GENERATION.dt } };
}
