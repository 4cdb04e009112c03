// Creates, clears and reads the STOP file that asks every agent to stop.
import { ensureDir, entry, readText, removeFile } from '../core/safe-fs.js';
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

/** A reason is one line for a person; more of a STOP file is never read. */
const STOP_REASON_BYTES = 1024;

/** The reason `ralph-tui stop --force` writes (optionally followed by ": <why>"). */
export const FORCED_STOP_REASON = 'forced';

/** Creates STOP (the graceful stop flag agents check between steps); the reason is its content. */
export async function createStop(root: string, reason = 'stop requested'): Promise<void> {
  const paths = workspacePaths(root);
  ensureDir(paths.shared);
  await writeTextAtomic(paths.stop, `${reason}\n`);
}

/** Removes STOP (resume). Not an error when it is absent. */
export async function clearStop(root: string): Promise<void> {
  removeFile(workspacePaths(root).stop);
}

/**
 * Whether STOP is present (with reason and time) and whether the target is already reached.
 * `coordination` saves a re-read when the caller has the view (null: unknown, not reached).
 */
export function stopState(
  root: string,
  coordination: Pick<CoordinationView, 'best' | 'target'> | null = readCoordination(root),
): StopState {
  const file = workspacePaths(root).stop;
  const targetReached =
    coordination !== null && coordination.best !== null && coordination.best.score >= coordination.target;
  const found = entry(file);
  if (found.kind === 'missing') return { present: false, targetReached };
  // STOP counts whatever it is (an agent may make it a link or a pipe); only a regular file's first bytes are
  // read as its reason, never what a link points to.
  let reason = '';
  try {
    reason = (readText(file, { maxBytes: STOP_REASON_BYTES, truncate: true }) ?? '').trim();
  } catch (error) {
    reason = `unreadable: ${(error as Error).message}`;
  }
  const forced = reason === FORCED_STOP_REASON || reason.startsWith(`${FORCED_STOP_REASON}:`);
  return {
    present: true,
    ...(reason ? { reason } : {}),
    since: new Date(found.mtimeMs).toISOString(),
    targetReached,
    ...(forced ? { forced } : {}),
  };
}
