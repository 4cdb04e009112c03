// The built-in worker agent: claims experiments, runs them, logs and records their results.
import path from 'node:path';
import {
  appendLogEntry,
  claimNext,
  claimedBy,
  EXIT_UNAVAILABLE,
  failExperiment,
  heartbeat,
  readCoordination,
  releaseExperiment,
  stopState,
  updateExperimentState,
  type QueueEntry,
} from '../../orchestration/index.js';
import { drainOutbox, drainPending, outboxKey, untilWritten } from '../../orchestration/outbox.js';
import type { AgentConfig, RalphConfig } from '../config.js';
import { UserError } from '../../core/errors.js';
import type { AgentLog } from './agent-output.js';
import { experimentThreads, runMinutes } from './budget.js';
import { runExperimentChild } from './experiment-child.js';
import { DatasetCheck, workspaceDataset } from './dataset-check.js';
import { ownCommand, writeExperimentDefinition } from './experiment-files.js';
import { pause } from './pause.js';
import { slug } from './proposals.js';
import { isWaitableFault, Waiting } from './waiting.js';
import { openWorkerResult, workerOutboxKinds, workerResultSteps, type WorkerResult } from './worker-result.js';

export interface WorkerOptions {
  root: string;
  config: RalphConfig;
  agent: AgentConfig;
  log: AgentLog;
  /** Aborted on SIGTERM/SIGINT: the running child is stopped and the claim left for the restart. */
  signal?: AbortSignal;
  /** Exit 0 after this many experiments (tests, one-shot runs). */
  maxExperiments?: number;
  /** Exit 0 when the queue has nothing available instead of waiting for the orchestrator. */
  exitWhenIdle?: boolean;
}

/** Waiting for work: start short (the orchestrator refills within seconds), back off to half a minute. */
const IDLE_MIN_MS = 2_000;
const IDLE_MAX_MS = 30_000;
/**
 * After a failed run, before the next claim: 5 s, doubling with each failure in a row up to 5 minutes, so a
 * broken setup (missing dataset, bad base config) cannot burn through the queue.
 */
export function failurePauseMs(failuresInARow: number): number {
  return Math.min(300_000, 5_000 * 2 ** Math.max(0, failuresInARow - 1));
}

export function nextIdleDelay(previous: number | null): number {
  return previous === null ? IDLE_MIN_MS : Math.min(IDLE_MAX_MS, previous * 2);
}

/** The queue entry's `result` and `finding` texts for a finished run. */
export function describeResult(run: {
  score: number;
  timeMin: number;
  inBudget: boolean;
  budgetMinutes: number;
  previousBest: number | null;
  config: Record<string, unknown>;
}): { result: string; finding: string } {
  const where = `${run.score.toFixed(4)} @ ${run.timeMin.toFixed(1)} min`;
  const changes =
    Object.entries(run.config)
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      .join(', ') || 'the base configuration';
  if (!run.inBudget) {
    return {
      result: `OVER BUDGET - ${where} (budget ${run.budgetMinutes} min)`,
      finding: `${changes}: ${run.timeMin.toFixed(1)} min is over the ${run.budgetMinutes}-minute budget, so it cannot become the best.`,
    };
  }
  if (run.previousBest === null || run.score > run.previousBest) {
    const gain =
      run.previousBest === null
        ? 'first in-budget result'
        : `+${(run.score - run.previousBest).toFixed(4)} over ${run.previousBest.toFixed(4)}`;
    return { result: `SUCCESS - ${where} (NEW BEST)`, finding: `${changes}: ${gain}.` };
  }
  return {
    result: `NO IMPROVEMENT - ${where}`,
    finding: `${changes}: ${(run.score - run.previousBest).toFixed(4)} against the best ${run.previousBest.toFixed(4)}.`,
  };
}

type EntryOutcome = 'completed' | 'failed' | 'released' | 'aborted';

/** File-system refusals in a failed run's reason: the machine's fault, not the experiment's. */
const ENVIRONMENT_FAULT = /\b(ENOSPC|EDQUOT|EROFS|EACCES|EPERM|EIO|EMFILE)\b|no space left|read-only file system/i;

/**
 * The built-in worker's loop: check STOP, apply any finished result still pending (in order), check the dataset,
 * resume its own claim or claim the next experiment (locked, through orchestration/), run it as a child
 * `ralph-tui run`, record the result through the experiment's outbox, repeat. A shared file that is momentarily
 * unusable (half-written, invalid, locked, missing, unwritable, a full disk) makes it wait, visibly, and resume;
 * it never exits for one. Returns the process exit code.
 */
export async function runWorker(opts: WorkerOptions): Promise<number> {
  const { root, config, agent, log } = opts;
  const threads = experimentThreads(agent, config.experiments.workers);
  log(`worker ready: experiments run with ${threads} thread(s)${agent.cpuset ? ` on cpuset ${agent.cpuset}` : ''}`);
  const waiting = new Waiting(root, log);
  const dataset = new DatasetCheck(workspaceDataset(root, config));
  const kinds = workerOutboxKinds(root);
  let finished = 0;
  let idleDelay: number | null = null;
  let failuresInARow = 0;
  for (;;) {
    if (opts.signal?.aborted) return 143;
    // Only the STOP file (no coordination.json read): a broken coordination.json must not end the worker.
    if (stopState(root, null).present) {
      log('STOP present: exiting');
      // One last try for results still pending; what cannot be applied now stays journaled for the next start.
      await drainPending(root, kinds).catch(() => undefined);
      await beat(root, agent.id, 'stopped');
      return 0;
    }
    let entry: QueueEntry | null;
    try {
      const pending = await drainPending(root, kinds);
      if (!pending.complete) {
        if (
          (await waiting.on(
            `a finished result waits in ${path.relative(root, pending.file ?? '')} (${pending.step}: ${pending.error.message})`,
            opts.signal,
          )) === 'aborted'
        )
          return 143;
        continue;
      }
      const problem = await dataset.problem();
      if (problem) {
        await beat(root, agent.id, 'waiting');
        if ((await waiting.on(problem, opts.signal)) === 'aborted') return 143;
        continue;
      }
      entry = claimedBy(root, agent.id);
      if (entry) log(`resuming my claimed experiment ${entry.name}`);
      else {
        entry = await claimNext(root, agent.id);
        log(
          `claimed ${entry.name} (${entry.id}, priority ${entry.priority}${entry.family ? `, family ${entry.family}` : ''})`,
        );
      }
      waiting.clear();
    } catch (error) {
      if (error instanceof UserError && error.exitCode === EXIT_UNAVAILABLE) {
        waiting.clear();
        if (opts.exitWhenIdle) {
          log('no experiment available: exiting');
          return 0;
        }
        idleDelay = nextIdleDelay(idleDelay);
        if (idleDelay === IDLE_MIN_MS) log('no experiment available: waiting for the orchestrator');
        await beat(root, agent.id, 'idle');
        if ((await pause(root, idleDelay, opts.signal)) === 'aborted') return 143;
        continue;
      }
      if (!isWaitableFault(error)) throw error;
      if ((await waiting.on(error.message, opts.signal)) === 'aborted') return 143;
      continue;
    }
    idleDelay = null;
    let outcome: EntryOutcome;
    try {
      outcome = await runEntry(opts, entry, threads);
    } catch (error) {
      // The claim stays with this worker: the next pass resumes the experiment once the file is usable.
      if (!isWaitableFault(error)) throw error;
      if ((await waiting.on(error.message, opts.signal)) === 'aborted') return 143;
      continue;
    }
    if (outcome === 'aborted') {
      log(`interrupted: ${entry.name} stays claimed by ${agent.id} and resumes on restart`);
      return 143;
    }
    finished++;
    if (opts.maxExperiments !== undefined && finished >= opts.maxExperiments) {
      await drainPending(root, kinds).catch(() => undefined);
      return 0;
    }
    failuresInARow = outcome === 'failed' || outcome === 'released' ? failuresInARow + 1 : 0;
    if (failuresInARow > 0) {
      const waitMs = failurePauseMs(failuresInARow);
      if (failuresInARow > 1)
        log(`${failuresInARow} failed runs in a row: waiting ${Math.round(waitMs / 1000)} s before the next claim`);
      if ((await pause(root, waitMs, opts.signal)) === 'aborted') return 143;
    }
  }
}

/** A heartbeat is news, not a record: a coordination.json that cannot be written now must not stop the worker. */
async function beat(root: string, worker: string, status: string, current?: string | null): Promise<void> {
  await heartbeat(root, worker, status, current).catch(() => undefined);
}

/** STATE.json of an experiment whose run ended without a result (stopped, crashed, released): never left `running`. */
export async function markInterrupted(root: string, name: string, why: string): Promise<void> {
  await updateExperimentState(root, name, {
    status: 'interrupted',
    interrupted_at: new Date().toISOString(),
    conclusion: `INTERRUPTED - ${why}`,
  }).catch(() => undefined);
}

async function runEntry(opts: WorkerOptions, entry: QueueEntry, threads: number): Promise<EntryOutcome> {
  const { root, config, agent, log } = opts;
  const name = slug(entry.name) || slug(entry.id);
  const overrides = entry.config ?? {};
  const command = ownCommand(root, name);
  if (command) log(`${name} has its own command (${command}): running it as it is`);
  else {
    await writeExperimentDefinition(root, {
      name,
      description: entry.description,
      config: { ...(config.experiments.base ?? {}), ...overrides },
      dataset: config.experiments.dataset,
    });
  }
  // The runner appends each tuning run to the same STATE.json (`ralph-tui run` → appendTuningRun).
  await updateExperimentState(root, name, {
    experiment: name,
    experiment_id: entry.id,
    claimed_by: agent.id,
    claimed_at: entry.claimedAt ?? new Date().toISOString(),
    status: 'running',
    ...(entry.family ? { family: entry.family } : {}),
    config: overrides,
  });
  await beat(root, agent.id, 'running', entry.name);
  const previousBest = readCoordination(root).best?.score ?? null;
  log(`running ${name} with ${threads} thread(s)`);
  const outcome = await runExperimentChild({ root, name, threads, log, signal: opts.signal });
  if (outcome.kind === 'aborted') {
    await markInterrupted(root, name, `stopped while running on ${agent.id}; the claim resumes on restart`);
    return 'aborted';
  }
  if (outcome.kind === 'failed') {
    const datasetProblem = await new DatasetCheck(workspaceDataset(root, config)).problem();
    if (datasetProblem || ENVIRONMENT_FAULT.test(outcome.reason)) {
      const reason = datasetProblem ?? outcome.reason;
      log(`${name} did not fail on its own merits (${reason}): back to the queue as available`);
      await releaseExperiment(root, entry.id, { worker: agent.id, reason });
      await markInterrupted(root, name, reason);
      return 'released';
    }
    log(`FAILED ${name}: ${outcome.reason}`);
    await failExperiment(root, entry.id, { worker: agent.id, reason: outcome.reason });
    await updateExperimentState(root, name, {
      status: 'failed',
      completed_at: new Date().toISOString(),
      conclusion: `FAILED - ${outcome.reason}`,
    });
    await appendLogEntry(root, {
      worker: agent.id,
      experiment: entry.name,
      config: overrides,
      result: `FAILED - ${outcome.reason}`,
      flags: ['FAILED'],
    });
    await beat(root, agent.id, 'idle');
    return 'failed';
  }
  const { end } = outcome;
  const timeMin = Number(runMinutes(end, config.budgetWorkers, config.budgetMinutes).toFixed(2));
  const inBudget = timeMin <= config.budgetMinutes;
  const { result, finding } = describeResult({
    score: end.score,
    timeMin,
    inBudget,
    budgetMinutes: config.budgetMinutes,
    previousBest,
    config: overrides,
  });
  const finishedResult: WorkerResult = {
    entryId: entry.id,
    entryName: entry.name,
    name,
    worker: agent.id,
    family: entry.family,
    description: entry.description,
    config: overrides,
    score: end.score,
    against: end.against,
    timeMin,
    budgetMinutes: config.budgetMinutes,
    inBudget,
    previousBest,
    result,
    finding,
    resultFile: end.result_file,
  };
  // Kept in memory until the journal is written (a full disk is waited out), then on disk until applied.
  let journal = '';
  const key = outboxKey(entry.id);
  await untilWritten(
    async () => {
      journal = await openWorkerResult(root, finishedResult, key);
    },
    { file: `experiments/${name}/outbox`, signal: opts.signal, onWait: (message) => log(`WAITING: ${message}`) },
  );
  const drained = await drainOutbox(journal, workerResultSteps(root));
  if (!drained.complete) {
    log(
      `result of ${name} kept in ${path.relative(root, journal)}: ${drained.step} waits (${drained.error.message}); applied as soon as the file is usable`,
    );
    return 'completed';
  }
  await beat(root, agent.id, 'idle');
  log(
    `done ${name}: score ${end.score.toFixed(4)} @ ${timeMin.toFixed(1)} min${inBudget ? '' : ' (over budget)'}${(drained.outputs.complete as { newBest?: boolean } | undefined)?.newBest ? ' — NEW BEST' : ''}`,
  );
  return 'completed';
}
