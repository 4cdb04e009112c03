// Records a finished run through an outbox, so no record (STATE.json, MLflow, ITERATION_LOG.md) is lost to a crash.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { appendLogEntry, appendTuningRun, type NewLogEntry } from '../../orchestration/index.js';
import {
  drainOutbox,
  openOutbox,
  outboxDir,
  type DrainResult,
  type OutboxRecord,
  type OutboxStep,
} from '../../orchestration/outbox.js';
import type { ExperimentConfig } from '../../solver/experiment-config.js';
import { readText } from '../../core/safe-fs.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { logMlflowRun, type MlflowRun } from './mlflow-store.js';
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
  /** Append an ITERATION_LOG entry as this worker. */
  log?: string;
}

/** The outbox kind of a run's records (see orchestration/outbox.ts). */
export const RUN_RECORD = 'run-record';

export interface RunRecordPayload {
  experiment: string;
  tuningRun: Record<string, unknown> | null;
  mlflow: Omit<MlflowRun, 'artifacts'>;
  /** The result file (relative to the workspace), attached to the MLflow run as result.json. */
  resultFile: string;
  logEntry: NewLogEntry | null;
}

/**
 * Records a run where people and agents look for it: the experiment's STATE.json tuning runs, an MLflow
 * run (KILLED when incomplete, with the result file as an artifact) and, when asked, ITERATION_LOG.md.
 * A stopped run gets no tuning run or log entry: its score covers only part of the samples.
 * The records go through the experiment's outbox: a STATE.json or log that cannot be written now keeps the
 * rest pending (the result file is already written), applied exactly once by the next drain.
 */
export async function recordRun(root: string, run: RecordedRun): Promise<DrainResult & { file: string }> {
  const file = await openOutbox(outboxDir(root, run.experiment), {
    key: run.runId,
    kind: RUN_RECORD,
    payload: { ...runRecordPayload(run) },
  });
  return { ...(await drainOutbox(file, runRecordSteps(root))), file };
}

/** What the run-record journal keeps: everything the steps need, fixed when the run ended. */
export function runRecordPayload(run: RecordedRun): RunRecordPayload {
  const { summary, budget } = run;
  const rmse = (value: number | null) => (value === null ? 'n/a' : value.toFixed(4));
  return {
    experiment: run.experiment,
    tuningRun: run.incomplete
      ? null
      : {
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
        },
    mlflow: {
      runName: `${run.experiment}-${run.runId}`,
      // Derived from the run id, so a replay finds the run it logged before a crash.
      runId: createHash('md5').update(run.runId).digest('hex'),
      params: {
        ...run.config,
        workers: summary.workers,
        n_samples: summary.n_samples,
        dataset: run.dataset,
        shuffle: run.shuffle,
      },
      metrics: {
        submission_score: summary.score,
        projected_400_samples_min: summary.projected_400_samples_min,
        total_time_sec: summary.wall_seconds,
        rmse_mean: summary.rmse_mean,
        rmse_1src: summary.rmse_1src,
        rmse_2src: summary.rmse_2src,
        cpu_seconds_per_sample: summary.cpu_seconds_per_sample,
      },
      tags: {
        'ralph.experiment': run.experiment,
        'ralph.run_id': run.runId,
        'ralph.against': summary.against,
        'ralph.incomplete': String(run.incomplete),
      },
      startTime: run.startedAt.getTime(),
      endTime: run.finishedAt.getTime(),
      status: run.incomplete ? 'KILLED' : 'FINISHED',
    },
    resultFile: run.resultFile,
    logEntry:
      run.log && !run.incomplete && summary.score !== null
        ? {
            worker: run.log,
            experiment: run.experiment,
            score: summary.score,
            timeMin: budget.projectedMin ?? undefined,
            config: run.config as unknown as Record<string, unknown>,
            result: `${summary.n_samples} samples, ${summary.against === 'Y' ? 'against clean Y' : 'proxy against Y_noisy'}, RMSE ${rmse(summary.rmse_mean)} (1-src ${rmse(summary.rmse_1src)}, 2-src ${rmse(summary.rmse_2src)}), ${summary.wall_seconds.toFixed(1)} s on ${summary.workers} workers; ${run.resultFile}`,
            flags: budget.inBudget ? [] : ['OVER BUDGET'],
          }
        : null,
  };
}

/** The steps of a run record, each idempotent for the run id (tuning run id, MLflow run id, log entry key). */
export function runRecordSteps(root: string): OutboxStep[] {
  const paths = workspacePaths(root);
  const payloadOf = (record: OutboxRecord) => record.payload as unknown as RunRecordPayload;
  return [
    {
      name: 'tuning-run',
      apply: async (record) => {
        const { experiment, tuningRun } = payloadOf(record);
        if (tuningRun) await appendTuningRun(root, experiment, tuningRun);
      },
    },
    {
      name: 'mlflow',
      apply: async (record) => {
        const { mlflow, resultFile } = payloadOf(record);
        const file = path.resolve(root, resultFile);
        const resultJson = readText(file);
        if (resultJson === null) throw new Error(`${file} is missing`);
        await logMlflowRun(
          paths.mlruns,
          { ...mlflow, artifacts: { 'result.json': resultJson } },
          { lockDir: paths.locks, hostPath: hostPathOf(root) },
        );
      },
    },
    {
      name: 'log',
      apply: async (record) => {
        const { logEntry } = payloadOf(record);
        if (logEntry) await appendLogEntry(root, { ...logEntry, key: record.key });
      },
    },
  ];
}

/**
 * Inside an agent container the workspace is mounted at another path than on the host; the container is
 * told the host's path (RALPH_HOST_WORKSPACE) so MLflow records artifact URIs the host's `mlflow ui` opens.
 */
export function hostPathOf(root: string, hostWorkspace = process.env.RALPH_HOST_WORKSPACE): (file: string) => string {
  if (!hostWorkspace) return (file) => file;
  return (file) => {
    const relative = path.relative(root, file);
    return relative.startsWith('..') || path.isAbsolute(relative) ? file : path.join(hostWorkspace, relative);
  };
}
