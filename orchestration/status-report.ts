// Builds and formats what `ralph-tui status` prints: best vs target, queue, workers, runs, STOP.
import { workspacePaths } from '../core/workspace-paths.js';
import {
  DEFAULT_TARGET,
  readCoordination,
  type BestScore,
  type CoordinationView,
  type WorkerView,
} from './coordination.js';
import { nextUp, readQueue, type QueueEntry, type QueueView, type StatusCounts } from './queue-view.js';
import { runningRunsSync, type RunProgressView } from './run-status.js';
import { stopState, type StopState } from './stop-file.js';

/** What `ralph-tui status` reports (the original check_status script, without its 0.0000 bug). */
export interface StatusReport {
  workspace: string;
  best: BestScore | null;
  target: number;
  /** target − best; null before the first in-budget result. */
  gap: number | null;
  queue: {
    format: QueueView['format'];
    counts: StatusCounts | null;
    nextUp: Array<Pick<QueueEntry, 'id' | 'name' | 'priority' | 'family'>>;
    running: Array<Pick<QueueEntry, 'id' | 'name' | 'status' | 'worker' | 'claimedAt'>>;
  };
  workers: Record<string, WorkerView>;
  /** Experiment runs going on now, from their live status files (.ralph/progress/). */
  experiments: Array<
    Pick<RunProgressView, 'id' | 'name' | 'worker' | 'done' | 'total' | 'etaSeconds' | 'runningScore'>
  >;
  stop: StopState;
  /** Files that could not be read; the report shows everything else. */
  errors: Array<{ file: string; message: string }>;
}

/**
 * Gathers the status; a broken file is reported in `errors` instead of failing the whole report.
 * `configTarget`: ralph.config.json's targetScore, the target when coordination.json names none.
 */
export function statusReport(root: string, configTarget?: number): StatusReport {
  const errors: StatusReport['errors'] = [];
  let coordination: CoordinationView | null = null;
  let queue: QueueView | null = null;
  try {
    coordination = readCoordination(root, configTarget);
  } catch (error) {
    errors.push({ file: workspacePaths(root).coordination, message: (error as Error).message });
  }
  try {
    queue = readQueue(root);
  } catch (error) {
    errors.push({ file: workspacePaths(root).queue, message: (error as Error).message });
  }
  const best = coordination?.best ?? null;
  const target = coordination?.target ?? DEFAULT_TARGET;
  const running = (queue?.entries ?? []).filter((entry) => entry.status === 'claimed' || entry.status === 'running');
  return {
    workspace: root,
    best,
    target,
    gap: best ? Number((target - best.score).toFixed(6)) : null,
    queue: {
      format: queue?.format ?? 'missing',
      counts: queue?.counts ?? null,
      nextUp: queue
        ? nextUp(queue, 5).map(({ id, name, priority, family }) => ({
            id,
            name,
            priority,
            ...(family ? { family } : {}),
          }))
        : [],
      running: running.map(({ id, name, status, worker, claimedAt }) => ({
        id,
        name,
        status,
        ...(worker ? { worker } : {}),
        ...(claimedAt ? { claimedAt } : {}),
      })),
    },
    workers: coordination?.workers ?? {},
    experiments: runningRunsSync(root).map(({ id, name, worker, done, total, etaSeconds, runningScore }) => ({
      id,
      name,
      worker,
      done,
      total,
      etaSeconds,
      runningScore,
    })),
    stop: stopState(root, coordination),
    errors,
  };
}

const label = (text: string) => text.padEnd(10);

function score(value: number): string {
  return value.toFixed(4);
}

/** The human-readable status, one fact per line. */
export function formatStatus(report: StatusReport): string {
  const lines: string[] = [];
  const best = report.best
    ? `${score(report.best.score)}${report.best.timeMin !== null ? ` @ ${report.best.timeMin.toFixed(1)} min` : ''}${report.best.experiment ? ` (${report.best.experiment})` : ''}`
    : 'none yet';
  lines.push(`${label('Best:')}${best}`);
  const reached = report.stop.targetReached
    ? ' — target reached'
    : report.gap !== null
      ? ` — gap ${score(report.gap)}`
      : '';
  lines.push(`${label('Target:')}${score(report.target)}${reached}`);
  const c = report.queue.counts;
  lines.push(
    c
      ? `${label('Queue:')}${c.available} available · ${c.claimed} claimed · ${c.running} running · ${c.completed} completed · ${c.failed} failed · ${c.aborted} aborted · ${c.archived} archived (${c.total} total, ${report.queue.format})`
      : `${label('Queue:')}unreadable`,
  );
  if (report.queue.nextUp.length === 0) lines.push(`${label('Next up:')}nothing available`);
  report.queue.nextUp.forEach((entry, i) =>
    lines.push(
      `${label(i === 0 ? 'Next up:' : '')}P${entry.priority} ${entry.id}${entry.name !== entry.id ? ` ${entry.name}` : ''}`,
    ),
  );
  if (report.queue.running.length === 0) lines.push(`${label('Running:')}none`);
  report.queue.running.forEach((entry, i) =>
    lines.push(
      `${label(i === 0 ? 'Running:' : '')}${entry.worker ?? '?'} ${entry.id} (${entry.status}${entry.claimedAt ? ` since ${entry.claimedAt}` : ''})`,
    ),
  );
  const workers = Object.entries(report.workers);
  if (workers.length === 0) lines.push(`${label('Workers:')}none registered`);
  workers.forEach(([id, worker], i) => {
    const current = worker.currentExperiment ? ` on ${worker.currentExperiment}` : '';
    const seen = worker.lastSeen ? ` · seen ${worker.lastSeen}` : '';
    lines.push(
      `${label(i === 0 ? 'Workers:' : '')}${id} ${worker.status}${current} · ${worker.runs} run${worker.runs === 1 ? '' : 's'}${seen}`,
    );
  });
  report.experiments.forEach((run, i) => {
    const eta = run.etaSeconds !== undefined ? ` · eta ${Math.round(run.etaSeconds)}s` : '';
    const running = run.runningScore !== undefined ? ` · running score ${score(run.runningScore)}` : '';
    lines.push(
      `${label(i === 0 ? 'Progress:' : '')}${run.worker ?? '—'} ${run.name} ${run.done}/${run.total}${eta}${running}`,
    );
  });
  const stop = report.stop.present
    ? `present${report.stop.reason ? ` (${report.stop.reason})` : ''} since ${report.stop.since}`
    : 'not present';
  lines.push(`${label('STOP:')}${stop}`);
  for (const error of report.errors) lines.push(`${label('Error:')}${error.message}`);
  return `${lines.join('\n')}\n`;
}
