// Sums a run's per-sample outcomes into its score, errors, timing and budget projection.
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
  /** Mean estimator seconds per 1- and 2-source sample (the original STATE.json's time_mean_*). */
  time_mean_1src: number | null;
  time_mean_2src: number | null;
}

/**
 * The budget check. The competition's budget is 60 min for 400 samples on 7 workers = 63 CPU-seconds
 * per sample (the issue's own unit). It uses CPU seconds because wall time is inflated by every other
 * run sharing the cores (agents run experiments side by side on a few cores): measured here, 8 samples
 * at load 11 on 2 cores took 99 s wall for 3.6 CPU-s/sample. The competition's wall-based figure stays
 * in projected_400_samples_min, with the worker count it was measured at.
 */
export function budgetOf(
  summary: RunSummary,
  budget: { minutes: number; workers: number },
): { projectedMin: number | null; inBudget: boolean } {
  const projectedMin =
    summary.cpu_seconds_per_sample === null ? null : (summary.cpu_seconds_per_sample * 400) / budget.workers / 60;
  return { projectedMin, inBudget: projectedMin !== null && projectedMin <= budget.minutes };
}

/** A sample's RMSE: its best candidate's (what the `[k/N]` line and rmse_* report). */
export function bestRmse(outcome: EstimateOutcome): number | null {
  return outcome.losses.length ? Math.min(...outcome.losses) : null;
}

export function summarizeRun(
  outcomes: readonly EstimateOutcome[],
  timing: { wallSeconds: number; cpuSeconds: number; workers: number },
): RunSummary {
  const n = outcomes.length;
  const rmseOf = (filter: (o: EstimateOutcome) => boolean) =>
    mean(
      outcomes
        .filter(filter)
        .map(bestRmse)
        .filter((v): v is number => v !== null),
    );
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
    time_mean_1src: mean(outcomes.filter((o) => o.nSources === 1).map((o) => o.seconds)),
    time_mean_2src: mean(outcomes.filter((o) => o.nSources === 2).map((o) => o.seconds)),
  };
}

function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}
