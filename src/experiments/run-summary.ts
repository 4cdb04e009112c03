import type { EstimateOutcome } from '../../solver/parallel/estimate-messages.js';

/** The figures every report of a run shows (result file, STATE.json, MLflow, the final lines). */
export interface RunSummary {
  n_samples: number;
  /** Official score: the mean per-sample score, against clean Y when every sample has it. */
  score: number | null;
  against: 'Y' | 'Y_noisy';
  rmse_mean: number | null;
  rmse_1src: number | null;
  rmse_2src: number | null;
  wall_seconds: number;
  cpu_seconds_per_sample: number | null;
  /** The competition's projection: wall_seconds / n_samples × 400 / 60, at `workers` threads. */
  projected_400_samples_min: number | null;
  workers: number;
  simulations: number;
}

/** A sample's RMSE: its best candidate's (what the `[k/N]` line and rmse_* report). */
export function bestRmse(outcome: EstimateOutcome): number | null {
  return outcome.losses.length ? Math.min(...outcome.losses) : null;
}

export function summarizeRun(outcomes: readonly EstimateOutcome[], timing: { wallSeconds: number; cpuSeconds: number; workers: number }): RunSummary {
  const n = outcomes.length;
  const rmseOf = (filter: (o: EstimateOutcome) => boolean) => mean(outcomes.filter(filter).map(bestRmse).filter((v): v is number => v !== null));
  return {
    n_samples: n,
    score: mean(outcomes.map((o) => o.score)),
    against: n > 0 && outcomes.every((o) => o.against === 'Y') ? 'Y' : 'Y_noisy',
    rmse_mean: rmseOf(() => true),
    rmse_1src: rmseOf((o) => o.nSources === 1),
    rmse_2src: rmseOf((o) => o.nSources === 2),
    wall_seconds: timing.wallSeconds,
    cpu_seconds_per_sample: n ? timing.cpuSeconds / n : null,
    projected_400_samples_min: n ? ((timing.wallSeconds / n) * 400) / 60 : null,
    workers: timing.workers,
    simulations: outcomes.reduce((total, o) => total + o.simulations, 0),
  };
}

function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}
