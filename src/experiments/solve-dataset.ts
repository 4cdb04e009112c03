// Estimates a dataset's samples on the thread pool, reporting each outcome as it finishes.
import type { Dataset } from '../../solver/dataset.js';
import type { ExperimentConfig } from '../../solver/experiment-config.js';
import type { EstimateOutcome } from '../../solver/parallel/estimate-messages.js';
import { EstimateFailure, EstimatePool } from '../../solver/parallel/estimate-pool.js';
import { UserError } from '../../core/errors.js';
import { sampleSeed } from '../../solver/parallel/schedule.js';

export interface SolveDatasetOptions {
  dataset: Dataset;
  config: ExperimentConfig;
  /** Dataset indices to run, in the order they are handed out. */
  indices: readonly number[];
  workers: number;
  /** Run seed; each sample's seed is derived from it and the sample's dataset index. */
  seed: number;
  /** Aborting stops the threads mid-sample; the samples finished so far are returned. */
  signal?: AbortSignal;
  onOutcome?: (outcome: EstimateOutcome, finished: readonly EstimateOutcome[]) => void;
}

export interface SolveDatasetResult {
  /** Finished samples, in dataset order. */
  outcomes: EstimateOutcome[];
  incomplete: boolean;
  wallSeconds: number;
  /** CPU seconds of the whole process (all threads), user + system. */
  cpuSeconds: number;
}

/** Estimates the chosen samples of a dataset on a thread pool: the engine under `run` and `solve`. */
export async function solveDataset(opts: SolveDatasetOptions): Promise<SolveDatasetResult> {
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  const finished: EstimateOutcome[] = [];
  const pool = new EstimatePool({ meta: opts.dataset.meta, config: opts.config, workers: opts.workers });
  const tasks = opts.indices.map((index) => ({
    index,
    sample: opts.dataset.samples[index],
    seed: sampleSeed(opts.seed, index),
  }));
  let aborted = opts.signal?.aborted ?? false;
  const onAbort = () => {
    aborted = true;
    void pool.terminate();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (!aborted) {
      await Promise.race([
        pool.run(tasks, (outcome) => {
          if (aborted) return;
          finished.push(outcome);
          opts.onOutcome?.(outcome, finished);
        }),
        new Promise<void>((resolve) => opts.signal?.addEventListener('abort', () => resolve(), { once: true })),
      ]);
    }
  } catch (error) {
    // One sentence and exit 1 (not a stack trace): the run stops and writes nothing.
    if (error instanceof EstimateFailure) throw new UserError(`${error.message}; no result written`, 1);
    throw error;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await pool.terminate();
  }
  const cpu = process.cpuUsage(cpuBefore);
  return {
    outcomes: [...finished].sort((a, b) => a.index - b.index),
    incomplete: aborted || finished.length < tasks.length,
    wallSeconds: (performance.now() - startedAt) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}
