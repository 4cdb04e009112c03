import { appendLogEntry, appendTuningRun } from '../../orchestration/index.js';
import type { ExperimentConfig } from '../../solver/experiment-config.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { logMlflowRun } from './mlflow-store.js';
import type { RunSummary } from './run-summary.js';

/** A finished (or stopped) run, as the places that keep a record of runs need it. */
export interface RecordedRun {
  experiment: string;
  runId: string;
  config: ExperimentConfig;
  summary: RunSummary;
  budget: { projectedMin: number | null; inBudget: boolean };
  dataset: string;
  shuffle: boolean;
  incomplete: boolean;
  startedAt: Date;
  finishedAt: Date;
  /** The result file, relative to the workspace. */
  resultFile: string;
  resultJson: string;
  /** Append an ITERATION_LOG entry as this worker. */
  log?: string;
}

/**
 * Records a run where people and agents look for it: the experiment's STATE.json tuning runs, an MLflow
 * run (KILLED when incomplete, with the result file as an artifact) and, when asked, ITERATION_LOG.md.
 * A stopped run gets no tuning run or log entry: its score covers only part of the samples.
 */
export async function recordRun(root: string, run: RecordedRun): Promise<void> {
  const { summary, budget } = run;
  if (!run.incomplete) {
    await appendTuningRun(root, run.experiment, {
      run_id: run.runId,
      config: run.config,
      score: summary.score,
      time_min: budget.projectedMin,
      in_budget: budget.inBudget,
      workers: summary.workers,
      n_samples: summary.n_samples,
      results: {
        score: summary.score,
        against: summary.against,
        total_time_sec: summary.wall_seconds,
        projected_400_min: summary.projected_400_samples_min,
        rmse_mean: summary.rmse_mean,
        rmse_mean_1src: summary.rmse_1src,
        rmse_mean_2src: summary.rmse_2src,
        time_mean_1src: summary.time_mean_1src,
        time_mean_2src: summary.time_mean_2src,
        cpu_seconds_per_sample: summary.cpu_seconds_per_sample,
      },
      result_file: run.resultFile,
      timestamp: run.finishedAt.toISOString(),
    });
  }
  const paths = workspacePaths(root);
  await logMlflowRun(
    paths.mlruns,
    {
      runName: `${run.experiment}-${run.runId}`,
      params: { ...run.config, workers: summary.workers, n_samples: summary.n_samples, dataset: run.dataset, shuffle: run.shuffle },
      metrics: {
        submission_score: summary.score,
        projected_400_samples_min: summary.projected_400_samples_min,
        total_time_sec: summary.wall_seconds,
        rmse_mean: summary.rmse_mean,
        rmse_1src: summary.rmse_1src,
        rmse_2src: summary.rmse_2src,
        cpu_seconds_per_sample: summary.cpu_seconds_per_sample,
      },
      tags: { 'ralph.experiment': run.experiment, 'ralph.run_id': run.runId, 'ralph.against': summary.against, 'ralph.incomplete': String(run.incomplete) },
      startTime: run.startedAt.getTime(),
      endTime: run.finishedAt.getTime(),
      status: run.incomplete ? 'KILLED' : 'FINISHED',
      artifacts: { 'result.json': run.resultJson },
    },
    paths.locks,
  );
  if (run.log && !run.incomplete && summary.score !== null) {
    const rmse = (value: number | null) => (value === null ? 'n/a' : value.toFixed(4));
    await appendLogEntry(root, {
      worker: run.log,
      experiment: run.experiment,
      score: summary.score,
      timeMin: budget.projectedMin ?? undefined,
      config: run.config as unknown as Record<string, unknown>,
      result: `${summary.n_samples} samples, ${summary.against === 'Y' ? 'against clean Y' : 'proxy against Y_noisy'}, RMSE ${rmse(summary.rmse_mean)} (1-src ${rmse(summary.rmse_1src)}, 2-src ${rmse(summary.rmse_2src)}), ${summary.wall_seconds.toFixed(1)} s on ${summary.workers} workers; ${run.resultFile}`,
      flags: budget.inBudget ? [] : ['OVER BUDGET'],
    });
  }
}
