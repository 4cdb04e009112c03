// The messages passed between the estimate pool and its worker threads.
import type { Dataset, Sample } from '../dataset.js';
import type { ExperimentConfig } from '../experiment-config.js';
import type { Candidate } from '../scoring.js';

/** What the pool gives each worker thread once, at start. */
export interface EstimateWorkerData {
  meta: Dataset['meta'];
  config: ExperimentConfig;
}

/** One sample to estimate (and score, where the sample has labels). */
export interface EstimateTask {
  index: number;
  sample: Sample;
  seed: number;
}

/** A finished sample, as posted back by a worker thread. */
export interface EstimateOutcome {
  index: number;
  sampleId: string;
  nSources: number;
  candidates: Candidate[];
  simulations: number;
  /** The estimator's own time for this sample (one thread, so ≈ CPU seconds). */
  seconds: number;
  /** Official per-sample score and each candidate's RMSE. */
  score: number;
  losses: number[];
  against: 'Y' | 'Y_noisy';
}

export type WorkerReply = { ok: true; outcome: EstimateOutcome } | { ok: false; index: number; message: string };
