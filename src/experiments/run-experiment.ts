import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { appendLogEntry, appendTuningRun } from '../../orchestration/index.js';
import { loadDataset, type Dataset } from '../../solver/dataset.js';
import { applyOverrides, parseExperimentConfig, type ExperimentConfig } from '../../solver/experiment-config.js';
import { defaultWorkerCount } from '../../solver/parallel/estimate-pool.js';
import { planSamples } from '../../solver/parallel/schedule.js';
import { loadConfig, type RalphConfig } from '../config.js';
import { UserError } from '../errors.js';
import { workspacePaths } from '../workspace.js';
import type { ExperimentDefinition } from './experiment-definition.js';
import { logMlflowRun } from './mlflow-store.js';
import { ProgressReporter, type ProgressMode } from './progress-reporter.js';
import { solveDataset } from './solve-dataset.js';
import { bestRmse, summarizeRun, type RunSummary } from './run-summary.js';

export interface RunExperimentOptions {
  root: string;
  experiment: ExperimentDefinition;
  workers?: number;
  shuffle?: boolean;
  maxSamples?: number;
  seed?: number;
  /** Dataset file (relative to the current folder, else to the workspace). */
  data?: string;
  set?: readonly string[];
  progress?: ProgressMode;
  /** Append an ITERATION_LOG entry as this worker (e.g. W1). */
  log?: string;
  signal?: AbortSignal;
  out?: NodeJS.WritableStream;
}

/** The settings a run starts from, resolved and validated before any thread starts. */
export interface RunPlan {
  config: ExperimentConfig;
  datasetFile: string;
  dataset: Dataset;
  indices: number[];
  workers: number;
  budgetMinutes: number;
  budgetWorkers: number;
}

/**
 * Layers the experiment config — defaults ← ralph.config.json experiments.base ← experiment.json
 * config ← --set ← --seed — and loads the dataset, so every bad input fails before work starts.
 */
export async function planRun(opts: RunExperimentOptions): Promise<RunPlan> {
  const ralph = fs.existsSync(workspacePaths(opts.root).config) ? loadConfig(opts.root) : undefined;
  const base = ralph?.experiments.base ?? {};
  parseExperimentConfig(base, `${workspacePaths(opts.root).config}: experiments.base`);
  const source = opts.experiment.file ?? `built-in experiment "${opts.experiment.name}"`;
  let config = parseExperimentConfig({ ...base, ...opts.experiment.config }, source);
  config = applyOverrides(config, opts.set ?? []);
  if (opts.seed !== undefined) config = { ...config, seed: opts.seed };
  const datasetFile = resolveDataset(opts, ralph);
  const dataset = await loadDataset(datasetFile);
  if (dataset.samples.length === 0) throw new UserError(`${datasetFile}: the dataset has no samples`);
  if (opts.maxSamples !== undefined && opts.maxSamples < 1) throw new UserError(`--max-samples must be at least 1, got ${opts.maxSamples}`);
  const indices = planSamples(
    dataset.samples.map((sample) => sample.n_sources),
    { shuffle: opts.shuffle, maxSamples: opts.maxSamples, seed: config.seed },
  );
  const workers = Math.min(opts.workers ?? ralph?.experiments.workers ?? defaultWorkerCount(), indices.length);
  return { config, datasetFile, dataset, indices, workers, budgetMinutes: ralph?.budgetMinutes ?? 60, budgetWorkers: ralph?.budgetWorkers ?? 7 };
}

function resolveDataset(opts: RunExperimentOptions, ralph: RalphConfig | undefined): string {
  if (opts.data) {
    const fromCwd = path.resolve(opts.data);
    return fs.existsSync(fromCwd) ? fromCwd : path.resolve(opts.root, opts.data);
  }
  const file = path.resolve(opts.root, opts.experiment.dataset ?? ralph?.experiments.dataset ?? 'data/synthetic.json');
  if (!fs.existsSync(file)) {
    throw new UserError(`dataset ${file} not found: pass --data FILE, or create it with \`ralph-tui generate --out ${path.relative(process.cwd(), file) || file}\``);
  }
  return file;
}

export interface RunExperimentResult {
  resultFile: string;
  summary: RunSummary;
  incomplete: boolean;
}

/**
 * `ralph-tui run`: estimates the planned samples on the thread pool, streams progress, then writes the
 * result file (atomically), a STATE.json tuning run, an MLflow run and, with `log`, an ITERATION_LOG
 * entry. When `signal` aborts, the threads stop and the finished samples are written as an
 * `incomplete` result (no tuning run or log entry: a partial score is not comparable).
 */
export async function runExperiment(opts: RunExperimentOptions): Promise<RunExperimentResult> {
  const plan = await planRun(opts);
  const { experiment, root } = opts;
  const paths = workspacePaths(root);
  const runId = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-')}-${randomBytes(2).toString('hex')}`;
  const startedAt = new Date();
  const reporter = new ProgressReporter(opts.progress ?? 'human', opts.out);
  reporter.start(experiment.name, plan.indices.length, plan.workers);
  const solved = await solveDataset({
    dataset: plan.dataset,
    config: plan.config,
    indices: plan.indices,
    workers: plan.workers,
    seed: plan.config.seed,
    signal: opts.signal,
    onOutcome: (outcome, finished) => reporter.sample(outcome, finished, plan.indices.length),
  });
  const finishedAt = new Date();
  const summary = summarizeRun(solved.outcomes, { wallSeconds: solved.wallSeconds, cpuSeconds: solved.cpuSeconds, workers: plan.workers });
  // The competition's budget is 60 min for 400 samples on 7 workers = 63 CPU-seconds per sample (the
  // issue's own unit). The budget check uses CPU seconds because wall time is inflated by every other
  // run sharing the cores (agents run experiments side by side on a few cores): measured here, 8 samples
  // at load 11 on 2 cores took 99 s wall for 3.6 CPU-s/sample. The wall-based figure stays in
  // projected_400_samples_min, with the worker count it was measured at.
  const budgetProjection = summary.cpu_seconds_per_sample === null ? null : (summary.cpu_seconds_per_sample * 400) / plan.budgetWorkers / 60;
  const inBudget = budgetProjection !== null && budgetProjection <= plan.budgetMinutes;
  const meanSeconds = (n: number) => {
    const list = solved.outcomes.filter((o) => o.nSources === n).map((o) => o.seconds);
    return list.length ? list.reduce((a, b) => a + b, 0) / list.length : null;
  };

  const resultFile = path.join(experiment.dir, 'results', `${runId}.json`);
  const result = {
    run_id: runId,
    experiment: experiment.name,
    started_at: startedAt.toISOString(),
    finished_at: finishedAt.toISOString(),
    dataset: path.relative(root, plan.datasetFile).startsWith('..') ? plan.datasetFile : path.relative(root, plan.datasetFile),
    config: plan.config,
    shuffle: opts.shuffle ?? false,
    n_planned: plan.indices.length,
    ...summary,
    time_mean_1src: meanSeconds(1),
    time_mean_2src: meanSeconds(2),
    budget_minutes: plan.budgetMinutes,
    budget_workers: plan.budgetWorkers,
    projected_400_cpu_at_budget_workers_min: budgetProjection,
    in_budget: inBudget,
    incomplete: solved.incomplete,
    samples: solved.outcomes.map((o) => ({
      sample_id: o.sampleId,
      n_sources: o.nSources,
      rmse: bestRmse(o),
      score: o.score,
      losses: o.losses,
      seconds: o.seconds,
      simulations: o.simulations,
      candidates: o.candidates,
    })),
  };
  fs.mkdirSync(path.dirname(resultFile), { recursive: true });
  await writeFileAtomic(resultFile, JSON.stringify(result, null, 2) + '\n');
  const resultRel = path.relative(root, resultFile);

  if (!solved.incomplete) {
    await appendTuningRun(root, experiment.name, {
      run_id: runId,
      config: plan.config,
      score: summary.score,
      time_min: budgetProjection,
      in_budget: inBudget,
      workers: plan.workers,
      n_samples: summary.n_samples,
      results: {
        score: summary.score,
        against: summary.against,
        total_time_sec: summary.wall_seconds,
        projected_400_min: summary.projected_400_samples_min,
        rmse_mean: summary.rmse_mean,
        rmse_mean_1src: summary.rmse_1src,
        rmse_mean_2src: summary.rmse_2src,
        time_mean_1src: meanSeconds(1),
        time_mean_2src: meanSeconds(2),
        cpu_seconds_per_sample: summary.cpu_seconds_per_sample,
      },
      result_file: resultRel,
      timestamp: finishedAt.toISOString(),
    });
  }
  await logMlflowRun(
    paths.mlruns,
    {
      runName: `${experiment.name}-${runId}`,
      params: { ...plan.config, workers: plan.workers, n_samples: summary.n_samples, dataset: result.dataset, shuffle: result.shuffle },
      metrics: {
        submission_score: summary.score,
        projected_400_samples_min: summary.projected_400_samples_min,
        total_time_sec: summary.wall_seconds,
        rmse_mean: summary.rmse_mean,
        rmse_1src: summary.rmse_1src,
        rmse_2src: summary.rmse_2src,
        cpu_seconds_per_sample: summary.cpu_seconds_per_sample,
      },
      tags: { 'ralph.experiment': experiment.name, 'ralph.run_id': runId, 'ralph.against': summary.against, 'ralph.incomplete': String(solved.incomplete) },
      startTime: startedAt.getTime(),
      endTime: finishedAt.getTime(),
      status: solved.incomplete ? 'KILLED' : 'FINISHED',
    },
    paths.locks,
  );
  if (opts.log && !solved.incomplete && summary.score !== null) {
    await appendLogEntry(root, {
      worker: opts.log,
      experiment: experiment.name,
      score: summary.score,
      timeMin: budgetProjection ?? undefined,
      config: plan.config as unknown as Record<string, unknown>,
      result: `${summary.n_samples} samples, ${summary.against === 'Y' ? 'against clean Y' : 'proxy against Y_noisy'}, RMSE ${summary.rmse_mean?.toFixed(4)} (1-src ${summary.rmse_1src?.toFixed(4) ?? 'n/a'}, 2-src ${summary.rmse_2src?.toFixed(4) ?? 'n/a'}), ${summary.wall_seconds.toFixed(1)} s on ${plan.workers} workers; ${resultRel}`,
      flags: inBudget ? [] : ['OVER BUDGET'],
    });
  }
  const budgetNote = budgetProjection === null ? undefined : `(from CPU time: ${budgetProjection.toFixed(1)} min on ${plan.budgetWorkers} uncontended workers, ${inBudget ? 'in' : 'over'} the ${plan.budgetMinutes}-min budget)`;
  reporter.end(summary, { resultFile: resultRel, incomplete: solved.incomplete, budgetNote, inBudget });
  return { resultFile, summary, incomplete: solved.incomplete };
}
