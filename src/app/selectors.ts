// Pure mappings from the services' snapshots to the panes' props.
import type { ExperimentRunView, FileRunView, SupervisorSnapshotView, WorkspaceSnapshotView } from './ports.js';
import type { AgentTab, ExperimentRun, WorkerRow } from './view-models.js';

/** Maps the services' snapshots to the panes' props (pure, unit-tested). */

export function queueCounts(ws: WorkspaceSnapshotView): { available: number; claimed: number; done: number } {
  const counts = ws.queue?.counts ?? {};
  return {
    available: counts.available ?? 0,
    claimed: (counts.claimed ?? 0) + (counts.running ?? 0),
    done: (counts.completed ?? 0) + (counts.failed ?? 0) + (counts.aborted ?? 0),
  };
}

/** The experiment each agent is on: its coordination entry, else the queue entry it claimed. */
export function currentExperiments(ws: WorkspaceSnapshotView): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of ws.queue?.entries ?? []) {
    if ((entry.status === 'claimed' || entry.status === 'running') && entry.worker) out[entry.worker] = entry.name;
  }
  for (const [id, worker] of Object.entries(ws.coordination?.workers ?? {})) {
    if (worker.currentExperiment) out[id] = worker.currentExperiment;
  }
  return out;
}

/** The experiment an agent is running now (its live run, else the queue entry it holds), if any. */
export function runningExperimentOf(ws: WorkspaceSnapshotView, id: string): string | undefined {
  const run = ws.runs?.find((candidate) => candidate.worker === id && candidate.state === 'running');
  return run?.name ?? currentExperiments(ws)[id];
}

export function agentTabs(sup: SupervisorSnapshotView, ws: WorkspaceSnapshotView): AgentTab[] {
  const experiments = currentExperiments(ws);
  return sup.agents.map((agent) => ({
    id: agent.id,
    state: agent.state,
    experiment: experiments[agent.id],
    restarts: agent.restarts,
    cpuPercent: agent.stats?.cpuPercent,
    memoryBytes: agent.stats?.memoryBytes,
    cpuset: agent.cpuset,
    unconfined: agent.unconfined,
    problem: agent.problem,
  }));
}

/** The first agent's problem as the footer's line: the agent, then the sentence that names the thing and the fix. */
export function agentProblem(sup: SupervisorSnapshotView): string | undefined {
  const agent = sup.agents.find((candidate) => candidate.problem);
  return agent ? `${agent.id}: ${agent.problem}` : undefined;
}

export function workerRows(ws: WorkspaceSnapshotView): WorkerRow[] {
  return Object.entries(ws.coordination?.workers ?? {})
    .map(([id, worker]) => ({
      id,
      status: worker.status,
      currentExperiment: worker.currentExperiment,
      runs: worker.runs,
      lastSeen: worker.lastSeen,
    }))
    .sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }));
}

/** The newest file error as one line ("experiment_queue.json: invalid JSON at line 3 …"). */
export function latestFileError(ws: WorkspaceSnapshotView): string | undefined {
  const error = ws.errors.at(-1);
  if (!error) return undefined;
  const base = error.file.split('/').pop() ?? error.file;
  return error.message.includes(base) ? error.message : `${base}: ${error.message}`;
}

/**
 * The experiments pane's runs: the screen's own (it can cancel them) and every other `ralph-tui run` from its
 * status file (agents' runs, in any container). A run the screen started also has a status file under the
 * same id (the runner passes RALPH_RUN_ID), so it is listed once, from the runner. In the order shown (↑/↓ follow it).
 */
export function experimentRuns(
  own: readonly ExperimentRunView[],
  files: readonly FileRunView[] | undefined,
): readonly ExperimentRun[] {
  const ids = new Set(own.map((run) => run.id));
  return orderRuns([...own, ...(files ?? []).filter((run) => !ids.has(run.id))]);
}

/** The order runs are listed in (and ↑/↓ select in): running, queued, failed/interrupted, the rest; newest first within each. */
export function orderRuns(runs: readonly ExperimentRun[]): ExperimentRun[] {
  return [...runs].sort((a, b) => rank(a) - rank(b) || (b.startedAt ?? Infinity) - (a.startedAt ?? Infinity));
}

function rank(run: ExperimentRun): number {
  return run.state === 'running'
    ? 0
    : run.state === 'queued'
      ? 1
      : run.state === 'failed' || run.state === 'interrupted'
        ? 2
        : 3;
}
