// The built-in orchestrator agent: keeps the queue stocked with experiments and records findings.
import {
  addExperiments,
  heartbeat,
  readCoordination,
  readQueue,
  recordFinding,
  stopState,
} from '../../orchestration/index.js';
import { ExperimentConfig } from '../../solver/experiment-config.js';
import type { RalphConfig } from '../config.js';
import type { AgentLog } from './agent-output.js';
import { activeFamilies, FAMILIES, type Family, focusAreas } from './families.js';
import { analyseHistory, type History } from './history.js';
import { pause } from './pause.js';
import { type Proposal, proposeExperiments } from './proposals.js';
import { isWaitableFault, Waiting } from './waiting.js';

const HEARTBEAT_MS = 30_000;

/** The orchestrator keeps at least this many experiments available, so an idle worker never waits for a plan. */
export const MIN_AVAILABLE = 5;

export interface StepResult {
  added: Proposal[];
  available: number;
  retired: string[];
  findings: string[];
  best: History['best'];
}

/** The effective base every experiment starts from: the estimator's defaults, then the workspace's base. */
export function experimentBase(config: RalphConfig): Record<string, unknown> {
  return { ...(ExperimentConfig.parse({}) as Record<string, unknown>), ...(config.experiments.base ?? {}) };
}

/** The families the workers focus on (their `focus.area`), else every family the estimator can move. */
export function workerFamilies(config: RalphConfig, base: Readonly<Record<string, unknown>>): Family[] {
  const usable = activeFamilies(base, FAMILIES);
  const areas = new Set(
    config.agents.flatMap((agent) => (agent.role === 'worker' && agent.focus ? focusAreas(agent.focus.area) : [])),
  );
  const focused = usable.filter((family) => areas.has(family.area.toLowerCase()) || areas.has(family.id));
  return focused.length > 0 ? focused : usable;
}

/** Findings worth recording in coordination.json: each improvement of the best and each retirement. */
export function findingsFrom(history: History): string[] {
  const texts = history.improvements.map((improvement) =>
    improvement.previous === null
      ? `First in-budget result: ${improvement.name} scored ${improvement.score.toFixed(4)} @ ${improvement.timeMin.toFixed(1)} min.`
      : `NEW BEST ${improvement.score.toFixed(4)} @ ${improvement.timeMin.toFixed(1)} min from ${improvement.name}${improvement.family ? ` (${improvement.family})` : ''}, +${(improvement.score - improvement.previous).toFixed(4)} over ${improvement.previous.toFixed(4)}.`,
  );
  for (const [family, names] of history.retired) {
    texts.push(
      `Family ${family} retired: its last ${names.length} experiments (${names.join(', ')}) did not improve the best${history.best ? ` ${history.best.score.toFixed(4)}` : ''}.`,
    );
  }
  return texts;
}

/**
 * Lower numbers run first: proposals around a newer best (more improvements so far) go ahead of older ones
 * around a superseded configuration, which stay queued as fallbacks. After `init`'s baseline (1) and
 * variations (5); never below 2.
 */
export function proposalPriority(improvements: number): number {
  return Math.max(2, 50 - improvements);
}

/** Shorter sleeps when the queue is low: workers are about to run dry. */
export function orchestratorSleepMs(available: number, minAvailable = MIN_AVAILABLE): number {
  const surplus = Math.max(0, available - minAvailable);
  return Math.min(30_000, 3_000 * (surplus + 1));
}

/**
 * One pass of the built-in orchestrator: read the queue and the completed experiments, record new findings,
 * retire exhausted families, and top the queue up to MIN_AVAILABLE + 1 with proposals around the best
 * in-budget configuration. Everything goes through orchestration/ (locked, atomic).
 */
export async function orchestratorStep(
  root: string,
  config: RalphConfig,
  agentId = 'W0',
  minAvailable = MIN_AVAILABLE,
): Promise<StepResult> {
  const queue = readQueue(root);
  const entries = queue.entries;
  const history = analyseHistory(entries, config.budgetMinutes);

  const coordination = readCoordination(root);
  const known = JSON.stringify(coordination.findings ?? []);
  const findings = findingsFrom(history).filter((text) => !known.includes(JSON.stringify(text).slice(1, -1)));
  for (const text of findings) await recordFinding(root, agentId, text);

  const base = experimentBase(config);
  const families = workerFamilies(config, base);
  const open = families.filter((family) => !history.retired.has(family.id));
  const available = entries.filter((entry) => entry.status === 'available').length;
  const centerLabel = history.best
    ? `${history.best.name} (${history.best.score.toFixed(4)})`
    : 'the base configuration';
  // A new best that nothing in the queue builds on yet gets a fresh batch (one per open family) even when the
  // queue is full; it runs ahead of the older proposals (see proposalPriority).
  const freshBest =
    history.best !== null && !entries.some((entry) => entry.description?.includes(`around ${centerLabel}`));
  const count = Math.max(minAvailable + 1 - available, freshBest ? open.length : 0);
  let added: Proposal[] = [];
  if (count > 0) {
    const proposals = proposeExperiments(
      {
        base,
        families: open,
        center: history.best?.config ?? {},
        centerLabel,
        existing: entries,
        count,
        priority: proposalPriority(history.improvements.length),
      },
      families,
    );
    if (proposals.length > 0) await addExperiments(root, proposals);
    added = proposals;
  }
  return {
    added,
    available: available + added.length,
    retired: [...history.retired.keys()],
    findings,
    best: history.best,
  };
}

/** The orchestrator's loop: a step, then an adaptive sleep that wakes for STOP; exits 0 when STOP exists. */
export async function runOrchestrator(opts: {
  root: string;
  config: RalphConfig;
  agentId: string;
  log: AgentLog;
  signal?: AbortSignal;
  maxSteps?: number;
}): Promise<number> {
  const { root, config, agentId, log } = opts;
  log('orchestrator ready: keeping at least 5 experiments available');
  let retiredBefore = new Set<string>();
  let lastStatus = '';
  let lastBeat = 0;
  const waiting = new Waiting(root, log);
  for (let step = 1; ; step++) {
    if (opts.signal?.aborted) return 143;
    if (stopState(root, null).present) {
      log('STOP present: exiting');
      await heartbeat(root, agentId, 'stopped').catch(() => undefined);
      return 0;
    }
    let result: StepResult;
    try {
      result = await orchestratorStep(root, config, agentId);
      waiting.clear();
    } catch (error) {
      // A queue or coordination file that is momentarily unusable: wait it out, visibly, instead of exiting.
      if (!isWaitableFault(error)) throw error;
      if ((await waiting.on(error.message, opts.signal)) === 'aborted') return 143;
      continue;
    }
    // A heartbeat when something happened, else twice a minute: each one rewrites coordination.json, which
    // every watcher (the screen) re-reads.
    if (result.added.length > 0 || result.findings.length > 0 || Date.now() - lastBeat >= HEARTBEAT_MS) {
      await heartbeat(root, agentId, result.added.length > 0 ? 'running' : 'idle').catch(() => undefined);
      lastBeat = Date.now();
    }
    for (const text of result.findings) log(`finding: ${text}`);
    for (const family of result.retired) if (!retiredBefore.has(family)) log(`retired family ${family}`);
    retiredBefore = new Set(result.retired);
    for (const proposal of result.added) log(`queued ${proposal.name}: ${proposal.description}`);
    const sleepMs = orchestratorSleepMs(result.available);
    // A status line only when something changed: the pane stays readable over hours of passes.
    const status = `${result.available} available${result.best ? `, best ${result.best.score.toFixed(4)} @ ${result.best.timeMin.toFixed(1)} min (${result.best.name})` : ''}`;
    if (status !== lastStatus) log(status);
    lastStatus = status;
    if (opts.maxSteps !== undefined && step >= opts.maxSteps) return 0;
    if ((await pause(root, sleepMs, opts.signal)) === 'aborted') return 143;
  }
}
