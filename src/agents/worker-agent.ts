import {
  appendLogEntry,
  claimNext,
  claimedBy,
  completeExperiment,
  EXIT_UNAVAILABLE,
  failExperiment,
  heartbeat,
  readCoordination,
  stopState,
  updateExperimentState,
  type QueueEntry,
} from '../../orchestration/index.js';
import type { AgentConfig, RalphConfig } from '../config.js';
import { UserError } from '../../core/errors.js';
import type { AgentLog } from './agent-output.js';
import { experimentThreads, runMinutes } from './budget.js';
import { runExperimentChild } from './experiment-child.js';
import { ownCommand, writeExperimentDefinition, writeSummary } from './experiment-files.js';
import { pause } from './pause.js';
import { slug } from './proposals.js';

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
export function describeResult(run: { score: number; timeMin: number; inBudget: boolean; budgetMinutes: number; previousBest: number | null; config: Record<string, unknown> }): { result: string; finding: string } {
  const where = `${run.score.toFixed(4)} @ ${run.timeMin.toFixed(1)} min`;
  const changes = Object.entries(run.config).map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(', ') || 'the base configuration';
  if (!run.inBudget) {
    return {
      result: `OVER BUDGET - ${where} (budget ${run.budgetMinutes} min)`,
      finding: `${changes}: ${run.timeMin.toFixed(1)} min is over the ${run.budgetMinutes}-minute budget, so it cannot become the best.`,
    };
  }
  if (run.previousBest === null || run.score > run.previousBest) {
    const gain = run.previousBest === null ? 'first in-budget result' : `+${(run.score - run.previousBest).toFixed(4)} over ${run.previousBest.toFixed(4)}`;
    return { result: `SUCCESS - ${where} (NEW BEST)`, finding: `${changes}: ${gain}.` };
  }
  return {
    result: `NO IMPROVEMENT - ${where}`,
    finding: `${changes}: ${(run.score - run.previousBest).toFixed(4)} against the best ${run.previousBest.toFixed(4)}.`,
  };
}

type EntryOutcome = 'completed' | 'failed' | 'aborted';

/**
 * The built-in worker's loop: check STOP, resume its own claim or claim the next experiment (locked, through
 * orchestration/), run it as a child `ralph-tui run`, complete the entry, write SUMMARY.md and the
 * ITERATION_LOG entry, repeat. Returns the process exit code.
 */
export async function runWorker(opts: WorkerOptions): Promise<number> {
  const { root, config, agent, log } = opts;
  const threads = experimentThreads(agent, config.experiments.workers);
  log(`worker ready: experiments run with ${threads} thread(s)${agent.cpuset ? ` on cpuset ${agent.cpuset}` : ''}`);
  let finished = 0;
  let idleDelay: number | null = null;
  let failuresInARow = 0;
  for (;;) {
    if (opts.signal?.aborted) return 143;
    if (stopState(root).present) {
      log('STOP present: exiting');
      await heartbeat(root, agent.id, 'stopped');
      return 0;
    }
    let entry = claimedBy(root, agent.id);
    if (entry) log(`resuming my claimed experiment ${entry.name}`);
    else {
      try {
        entry = await claimNext(root, agent.id);
        log(`claimed ${entry.name} (${entry.id}, priority ${entry.priority}${entry.family ? `, family ${entry.family}` : ''})`);
      } catch (error) {
        if (!(error instanceof UserError) || error.exitCode !== EXIT_UNAVAILABLE) throw error;
        if (opts.exitWhenIdle) {
          log('no experiment available: exiting');
          return 0;
        }
        idleDelay = nextIdleDelay(idleDelay);
        if (idleDelay === IDLE_MIN_MS) log('no experiment available: waiting for the orchestrator');
        await heartbeat(root, agent.id, 'idle');
        const waited = await pause(root, idleDelay, opts.signal);
        if (waited === 'aborted') return 143;
        continue;
      }
    }
    idleDelay = null;
    const outcome = await runEntry(opts, entry, threads);
    if (outcome === 'aborted') {
      log(`interrupted: ${entry.name} stays claimed by ${agent.id} and resumes on restart`);
      return 143;
    }
    finished++;
    if (opts.maxExperiments !== undefined && finished >= opts.maxExperiments) return 0;
    failuresInARow = outcome === 'failed' ? failuresInARow + 1 : 0;
    if (failuresInARow > 0) {
      const waitMs = failurePauseMs(failuresInARow);
      if (failuresInARow > 1) log(`${failuresInARow} failed runs in a row: waiting ${Math.round(waitMs / 1000)} s before the next claim`);
      if ((await pause(root, waitMs, opts.signal)) === 'aborted') return 143;
    }
  }
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
  await heartbeat(root, agent.id, 'running', entry.name);
  const previousBest = readCoordination(root).best?.score ?? null;
  log(`running ${name} with ${threads} thread(s)`);
  const outcome = await runExperimentChild({ root, name, threads, log, signal: opts.signal });
  if (outcome.kind === 'aborted') return 'aborted';
  if (outcome.kind === 'failed') {
    log(`FAILED ${name}: ${outcome.reason}`);
    await failExperiment(root, entry.id, { worker: agent.id, reason: outcome.reason });
    await updateExperimentState(root, name, { status: 'failed', completed_at: new Date().toISOString(), conclusion: `FAILED - ${outcome.reason}` });
    await appendLogEntry(root, { worker: agent.id, experiment: entry.name, config: overrides, result: `FAILED - ${outcome.reason}`, flags: ['FAILED'] });
    await heartbeat(root, agent.id, 'idle');
    return 'failed';
  }
  const { end } = outcome;
  const timeMin = Number(runMinutes(end, config.budgetWorkers, config.budgetMinutes).toFixed(2));
  const inBudget = timeMin <= config.budgetMinutes;
  const { result, finding } = describeResult({ score: end.score, timeMin, inBudget, budgetMinutes: config.budgetMinutes, previousBest, config: overrides });
  const { newBest } = await completeExperiment(root, entry.id, { worker: agent.id, score: end.score, timeMin, result, finding, inBudget });
  await updateExperimentState(root, name, { status: 'completed', completed_at: new Date().toISOString(), conclusion: `${result}. ${finding}` });
  await writeSummary(root, {
    name,
    id: entry.id,
    worker: agent.id,
    family: entry.family,
    description: entry.description,
    config: overrides,
    score: end.score,
    against: end.against,
    timeMin,
    budgetMinutes: config.budgetMinutes,
    inBudget,
    newBest,
    previousBest,
    finding,
    resultFile: end.result_file,
  });
  await appendLogEntry(root, {
    worker: agent.id,
    experiment: entry.name,
    score: end.score,
    timeMin,
    config: overrides,
    result,
    finding,
    flags: newBest ? ['NEW BEST'] : inBudget ? [] : ['OVER BUDGET'],
  });
  await heartbeat(root, agent.id, 'idle');
  log(`done ${name}: score ${end.score.toFixed(4)} @ ${timeMin.toFixed(1)} min${inBudget ? '' : ' (over budget)'}${newBest ? ' — NEW BEST' : ''}`);
  return 'completed';
}
