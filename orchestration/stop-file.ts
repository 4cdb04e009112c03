// Creates, clears and reads the STOP file that asks every agent to stop.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { workspacePaths } from '../core/workspace-paths.js';
import { readCoordination, type CoordinationView } from './coordination.js';
import { writeTextAtomic } from './json-store.js';

export interface StopState {
  /** orchestration/shared/STOP exists: agents finish their current step and stop. */
  present: boolean;
  reason?: string;
  /** ISO time the STOP file was written. */
  since?: string;
  /** The best in-budget score has reached the target (agents should stop by themselves). */
  targetReached: boolean;
  /** `ralph-tui stop --force`: a running supervisor ends the agents at once instead of waiting. */
  forced?: boolean;
}

/** The reason `ralph-tui stop --force` writes (optionally followed by ": <why>"). */
export const FORCED_STOP_REASON = 'forced';

/** Creates STOP (the graceful stop flag agents check between steps); the reason is its content. */
export async function createStop(root: string, reason = 'stop requested'): Promise<void> {
  const paths = workspacePaths(root);
  await fsp.mkdir(paths.shared, { recursive: true });
  await writeTextAtomic(paths.stop, `${reason}\n`);
}

/** Removes STOP (resume). Not an error when it is absent. */
export async function clearStop(root: string): Promise<void> {
  await fsp.rm(workspacePaths(root).stop, { force: true });
}

/**
 * Whether STOP is present (with reason and time) and whether the target is already reached.
 * `coordination` saves a re-read when the caller has the view (null: unknown, not reached).
 */
export function stopState(root: string, coordination: Pick<CoordinationView, 'best' | 'target'> | null = readCoordination(root)): StopState {
  const file = workspacePaths(root).stop;
  const targetReached = coordination !== null && coordination.best !== null && coordination.best.score >= coordination.target;
  try {
    const stat = fs.statSync(file);
    const reason = fs.readFileSync(file, 'utf8').trim();
    const forced = reason === FORCED_STOP_REASON || reason.startsWith(`${FORCED_STOP_REASON}:`);
    return { present: true, ...(reason ? { reason } : {}), since: stat.mtime.toISOString(), targetReached, ...(forced ? { forced } : {}) };
  } catch {
    return { present: false, targetReached };
  }
}
