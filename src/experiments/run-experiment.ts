// Plans and executes one `ralph-tui run`: resolves its settings, estimates every sample, writes the results.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { assertInsideWorkspace, ensureDir, entry, exists, writeAtomic } from '../../core/safe-fs.js';
import { loadDataset, type Dataset } from '../../solver/dataset.js';
import { applyOverrides, parseExperimentConfig, type ExperimentConfig } from '../../solver/experiment-config.js';
import { defaultWorkerCount } from '../../solver/parallel/estimate-pool.js';
import { planSamples } from '../../solver/parallel/schedule.js';
import { loadConfig, type RalphConfig } from '../config.js';
import { UserError } from '../../core/errors.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import type { ExperimentDefinition } from './experiment-definition.js';
import { drainPending, untilWritten } from '../../orchestration/outbox.js';
import { recordRun, RUN_RECORD, runRecordSteps } from './record-run.js';
import { progressEventOf } from './output-line-parser.js';
import { ProgressReporter, type ProgressMode } from './run-output-printer.js';
import { RunStatusFile, statusRunId, statusWorker } from './run-status-writer.js';
import { solveDataset } from './solve-dataset.js';
import { bestRmse, budgetOf, summarizeRun, type RunSummary } from './run-summary.js';

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
  /** One-sentence warnings for a person (the CLI writes them to stderr). */
  warn?: (message: string) => void;
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
  const ralph = exists(workspacePaths(opts.root).config) ? loadConfig(opts.root) : undefined;
  const base = ralph?.experiments.base ?? {};
  parseExperimentConfig(base, `${workspacePaths(opts.root).config}: experiments.base`);
  const source = opts.experiment.file ?? `built-in experiment "${opts.experiment.name}"`;
  let config = parseExperimentConfig({ ...base, ...opts.experiment.config }, source);
  config = applyOverrides(config, opts.set ?? []);
  if (opts.seed !== undefined) config = { ...config, seed: opts.seed };
  const datasetFile = resolveDataset(opts, ralph);
  const dataset = await loadDataset(datasetFile);
  if (dataset.samples.length === 0) throw new UserError(`${datasetFile}: the dataset has no samples`);
  if (opts.maxSamples !== undefined && opts.maxSamples < 1)
    throw new UserError(`--max-samples must be at least 1, got ${opts.maxSamples}`);
  const indices = planSamples(
    dataset.samples.map((sample) => sample.n_sources),
    { shuffle: opts.shuffle, maxSamples: opts.maxSamples, seed: config.seed },
  );
  const workers = Math.min(opts.workers ?? ralph?.experiments.workers ?? defaultWorkerCount(), indices.length);
  return {
    config,
    datasetFile,
    dataset,
    indices,
    workers,
    budgetMinutes: ralph?.budgetMinutes ?? 60,
    budgetWorkers: ralph?.budgetWorkers ?? 7,
  };
}

function resolveDataset(opts: RunExperimentOptions, ralph: RalphConfig | undefined): string {
  if (opts.data) {
    const fromCwd = path.resolve(opts.data);
    return exists(fromCwd) ? fromCwd : path.resolve(opts.root, opts.data);
  }
  const file = path.resolve(opts.root, opts.experiment.dataset ?? ralph?.experiments.dataset ?? 'data/synthetic.json');
  if (opts.experiment.dataset !== undefined && opts.experiment.source === 'workspace')
    assertWorkspaceDataset(opts.root, file, opts.experiment.file ?? opts.root);
  if (!exists(file)) {
    throw new UserError(
      `dataset ${file} not found: pass --data FILE, or create it with \`ralph-tui generate --out ${path.relative(process.cwd(), file) || file}\``,
    );
  }
  return file;
}

/**
 * An experiment.json's `dataset` was written by an agent: it names a regular file inside the workspace (not
 * /home/you/.ssh/id_rsa, not a link to it), or the run stops before reading anything.
 */
function assertWorkspaceDataset(root: string, file: string, source: string): void {
  const relative = path.relative(path.resolve(root), file);
  if (relative.startsWith('..') || path.isAbsolute(relative))
    throw new UserError(
      `${source}: dataset ${file} is outside the workspace; an experiment's dataset must be a file in it`,
    );
  assertInsideWorkspace(file);
  const kind = entry(file).kind;
  if (kind !== 'file' && kind !== 'missing')
    throw new UserError(
      `${source}: dataset ${file} is ${kind === 'symlink' ? 'a symbolic link' : `a ${kind}`}, not a regular file`,
    );
}

/** A run's id: its start time and a random suffix (`20261125-081602-5076`), naming its result file. */
export function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-')}-${randomBytes(2).toString('hex')}`;
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
 * `incomplete` result (no tuning run or log entry: a partial score is not comparable). Throughout, the
 * run's live status file (.ralph/progress/) says how far it is, for the screen, whoever started the run.
 */
export async function runExperiment(opts: RunExperimentOptions): Promise<RunExperimentResult> {
  const plan = await planRun(opts);
  const { experiment, root } = opts;
  const runId = newRunId();
  const startedAt = new Date();
  const status = new RunStatusFile({
    root,
    runId: statusRunId(runId),
    name: experiment.name,
    worker: statusWorker(opts.log),
  });
  const reporter = new ProgressReporter(opts.progress ?? 'human', opts.out, (line) =>
    status.apply(progressEventOf(line)),
  );
  reporter.start(experiment.name, plan.indices.length, plan.workers);
  await status.start();
  try {
    const outcome = await solveAndRecord(opts, plan, { runId, startedAt, reporter });
    await status.end(outcome.incomplete ? (opts.signal?.aborted ? 'cancelled' : 'incomplete') : 'finished');
    return outcome;
  } catch (error) {
    await status.end('failed', { lines: [error instanceof Error ? error.message : String(error)] });
    throw error;
  }
}

async function solveAndRecord(
  opts: RunExperimentOptions,
  plan: RunPlan,
  { runId, startedAt, reporter }: { runId: string; startedAt: Date; reporter: ProgressReporter },
): Promise<RunExperimentResult> {
  const { experiment, root } = opts;
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
  const summary = summarizeRun(solved.outcomes, {
    wallSeconds: solved.wallSeconds,
    cpuSeconds: solved.cpuSeconds,
    workers: plan.workers,
  });
  const budget = budgetOf(summary, { minutes: plan.budgetMinutes, workers: plan.budgetWorkers });
  const relative = path.relative(root, plan.datasetFile);
  const dataset = relative.startsWith('..') ? plan.datasetFile : relative;
  const resultFile = path.join(experiment.dir, 'results', `${runId}.json`);
  const result = {
    run_id: runId,
    experiment: experiment.name,
    started_at: startedAt.toISOString(),
    finished_at: finishedAt.toISOString(),
    dataset,
    config: plan.config,
    shuffle: opts.shuffle ?? false,
    n_planned: plan.indices.length,
    ...summary,
    budget_minutes: plan.budgetMinutes,
    budget_workers: plan.budgetWorkers,
    projected_400_cpu_at_budget_workers_min: budget.projectedMin,
    in_budget: budget.inBudget,
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
  const resultJson = JSON.stringify(result, null, 2) + '\n';
  // The finished samples exist only in memory until this write succeeds: a full disk is waited out, not fatal.
  await untilWritten(
    async () => {
      ensureDir(path.dirname(resultFile));
      await writeAtomic(resultFile, resultJson);
    },
    { file: resultFile, signal: opts.signal, onWait: (message) => opts.warn?.(`WAITING: ${message}`) },
  );
  const resultRel = path.relative(root, resultFile);
  // Older records still pending (a shared file was unreadable when their run ended) go first, in order.
  await drainPending(root, { [RUN_RECORD]: runRecordSteps(root) }).catch(() => undefined);
  const recorded = await recordRun(root, {
    experiment: experiment.name,
    runId,
    config: plan.config,
    summary,
    budget,
    dataset,
    shuffle: result.shuffle,
    incomplete: solved.incomplete,
    startedAt,
    finishedAt,
    resultFile: resultRel,
    log: opts.log,
  });
  if (!recorded.complete) {
    opts.warn?.(
      `${path.relative(root, recorded.file)}: the run's records wait there (${recorded.step}: ${recorded.error.message}); the next run or worker cycle applies them once the file is readable`,
    );
  }
  const budgetNote =
    budget.projectedMin === null
      ? undefined
      : `(from CPU time: ${budget.projectedMin.toFixed(1)} min on ${plan.budgetWorkers} uncontended workers, ${budget.inBudget ? 'in' : 'over'} the ${plan.budgetMinutes}-min budget)`;
  reporter.end(summary, {
    resultFile: resultRel,
    incomplete: solved.incomplete,
    budgetNote,
    inBudget: budget.inBudget,
  });
  return { resultFile, summary, incomplete: solved.incomplete };
}
