// The competition's scoring: candidate distinctness, RMSE, per-sample and dataset scores, predictions file checks.
import { z } from 'zod';
import { UserError, zodToUserError } from '../core/errors.js';
import type { Dataset, Sample } from './dataset.js';
import { Heat2D, type Source } from './heat2d.js';

/** One candidate solution: its sources as [x, y, q] rows. */
export type Candidate = number[][];

/** The competition's constants (scoring-reference.json `params`). */
export const SCORING = {
  nMax: 3,
  lambda: 0.3,
  tau: 0.2,
  scale: [2, 1, 2] as const,
} as const;

export interface SampleScore {
  score: number;
  n_valid: number;
  /** RMSE of each kept candidate, in submission order. */
  losses: number[];
  against: 'Y' | 'Y_noisy';
}

/** Sources scaled by (Lx, Ly, q_max) and sorted lexicographically, as the official distance uses them. */
function normalised(candidate: Candidate): number[][] {
  return candidate
    .map(([x, y, q]) => [x / SCORING.scale[0], y / SCORING.scale[1], q / SCORING.scale[2]])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
}

/**
 * Mean Euclidean distance between matched sources, as the organisers' scorer computes it: it zips the two
 * sorted source lists, so candidates with different source counts are compared on the shorter one (a
 * candidate and the same candidate plus an extra source can be at distance 0).
 */
function distance(a: number[][], b: number[][]): number {
  const n = Math.min(a.length, b.length);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += Math.hypot(a[k][0] - b[k][0], a[k][1] - b[k][1], a[k][2] - b[k][2]);
  return sum / n;
}

/** The candidates the scorer keeps: in order, each farther than tau from every one kept before; at most nMax. */
export function distinctCandidates(
  cands: Candidate[],
  tau: number = SCORING.tau,
  nMax: number = SCORING.nMax,
): Candidate[] {
  const kept: Candidate[] = [];
  const keptScaled: number[][][] = [];
  for (const candidate of cands) {
    if (kept.length >= nMax) break;
    const scaled = normalised(candidate);
    if (keptScaled.every((other) => distance(scaled, other) > tau)) {
      kept.push(candidate);
      keptScaled.push(scaled);
    }
  }
  return kept;
}

/** One Heat2D per (kappa, bc, dt): building one costs a factorisation, and datasets reuse few settings. */
const solvers = new Map<string, Heat2D>();
function solverFor(kappa: number, bc: Sample['sample_metadata']['bc'], dt: number): Heat2D {
  const key = `${kappa}|${bc}|${dt}`;
  let solver = solvers.get(key);
  if (!solver) {
    solver = new Heat2D({ kappa, bc, dt });
    solvers.set(key, solver);
  }
  return solver;
}

/** The official forward model of a candidate: 100×50, the sample's nt/kappa/bc/T0, sources on for the whole run. */
export function simulateCandidate(sample: Sample, meta: Dataset['meta'], cand: Candidate): Float64Array {
  const { nt, kappa, bc, T0 } = sample.sample_metadata;
  const sources: Source[] = cand.map(([x, y, q]) => ({ x, y, q }));
  return solverFor(kappa, bc, meta.dt).simulate(sources, sample.sensors_xy, nt, { T0 });
}

/** RMSE over all (nt+1)×m readings. */
export function rmse(simulated: Float64Array, observed: number[][]): number {
  const m = observed[0]?.length ?? 0;
  let sum = 0;
  for (let k = 0; k < observed.length; k++) {
    const row = observed[k];
    for (let j = 0; j < m; j++) {
      const d = simulated[k * m + j] - row[j];
      sum += d * d;
    }
  }
  return Math.sqrt(sum / (observed.length * m));
}

/**
 * The official per-sample score: mean over kept candidates of 1/(1+L) plus lambda·N_kept/N_max (0 when
 * nothing is kept). L is measured against the clean Y, or against Y_noisy as a proxy when the data has none.
 */
export function scoreSample(
  sample: Sample,
  meta: Dataset['meta'],
  cands: Candidate[],
  opts: { tau?: number; nMax?: number; lambda?: number } = {},
): SampleScore {
  const nMax = opts.nMax ?? SCORING.nMax;
  const kept = distinctCandidates(cands, opts.tau ?? SCORING.tau, nMax);
  const against = sample.Y ? 'Y' : 'Y_noisy';
  const observed = sample.Y ?? sample.Y_noisy;
  const losses = kept.map((cand) => rmse(simulateCandidate(sample, meta, cand), observed));
  if (losses.length === 0) return { score: 0, n_valid: 0, losses, against };
  const accuracy = losses.reduce((sum, loss) => sum + 1 / (1 + loss), 0) / losses.length;
  const score = accuracy + ((opts.lambda ?? SCORING.lambda) * kept.length) / nMax;
  return { score, n_valid: kept.length, losses, against };
}

const finite = z.number({
  error: (issue) => `expected a finite number, got ${JSON.stringify(issue.input) ?? 'nothing'}`,
});
/** A source as [x, y, q]. */
export const CandidateSource = z.tuple([finite, finite, finite]);
export const CandidateSchema = z.array(CandidateSource).min(1, 'a candidate needs at least one source');

/** The predictions file: `{"samples": [{"sample_id", "estimated_sources": [[[x, y, q], …], …]}]}`. */
export const Predictions = z.looseObject({
  samples: z.array(
    z.looseObject({
      sample_id: z.union([z.string().min(1), z.number().transform(String)]),
      estimated_sources: z.array(CandidateSchema),
    }),
  ),
});
export type Predictions = z.infer<typeof Predictions>;

/** Validates a parsed predictions file (UserError naming the file and field). */
export function parsePredictions(raw: unknown, source: string): Predictions {
  const result = Predictions.safeParse(raw);
  if (!result.success) throw zodToUserError(result.error, source);
  return result.data;
}

/** The plate the sources live on (x in [0, Lx], y in [0, Ly]): the competition's 2×1. */
export const PLATE = { Lx: SCORING.scale[0], Ly: SCORING.scale[1] } as const;

/** Predicted sources off the plate, which the scorer simulates as given (a likely mistake in the predictions). */
export function sourcesOffPlate(
  predictions: Predictions,
): Array<{ sample_id: string; candidate: number; x: number; y: number }> {
  const off: Array<{ sample_id: string; candidate: number; x: number; y: number }> = [];
  for (const entry of predictions.samples) {
    entry.estimated_sources.forEach((candidate, index) => {
      for (const [x, y] of candidate) {
        if (!(x >= 0 && x <= PLATE.Lx && y >= 0 && y <= PLATE.Ly))
          off.push({ sample_id: entry.sample_id, candidate: index + 1, x, y });
      }
    });
  }
  return off;
}

export interface DatasetScore {
  score: number;
  /** 'Y_noisy' when any scored sample lacked a clean Y (a proxy score). */
  against: 'Y' | 'Y_noisy';
  samples: ({ sample_id: string } & SampleScore)[];
  /** Dataset samples with no prediction; each counts 0 unless `onlyPredicted`. */
  missing: string[];
}

/**
 * Scores predictions against a dataset. Samples without a prediction score 0, as on the leaderboard; with
 * `onlyPredicted` the mean is over the predicted samples only (for runs on a subset).
 */
export function scoreDataset(
  dataset: Dataset,
  predictions: Predictions,
  opts: { onlyPredicted?: boolean } = {},
): DatasetScore {
  const byId = new Map(dataset.samples.map((sample) => [sample.sample_id, sample]));
  const predicted = new Map<string, Candidate[]>();
  for (const entry of predictions.samples) {
    if (!byId.has(entry.sample_id))
      throw new UserError(`predictions: sample "${entry.sample_id}" is not in the dataset`);
    if (predicted.has(entry.sample_id)) throw new UserError(`predictions: sample "${entry.sample_id}" appears twice`);
    predicted.set(entry.sample_id, entry.estimated_sources);
  }
  const samples: DatasetScore['samples'] = [];
  const missing: string[] = [];
  for (const sample of dataset.samples) {
    const cands = predicted.get(sample.sample_id);
    if (!cands) {
      missing.push(sample.sample_id);
      if (opts.onlyPredicted) continue;
    }
    samples.push({ sample_id: sample.sample_id, ...scoreSample(sample, dataset.meta, cands ?? []) });
  }
  const score = samples.length ? samples.reduce((sum, s) => sum + s.score, 0) / samples.length : 0;
  const against = samples.some((s) => s.against === 'Y_noisy') ? 'Y_noisy' : 'Y';
  return { score, against, samples, missing };
}
