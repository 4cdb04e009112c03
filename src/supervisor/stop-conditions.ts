// Reads the loop's stop conditions from the shared files: STOP, or the best score reaching the target.
import { exists, UnsafeFileError } from '../../core/safe-fs.js';
import type { RalphConfig } from '../config.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { readCoordination, stopState } from '../../orchestration/index.js';

export interface StopVerdict {
  stop: boolean;
  reason?: string;
}

/**
 * The loop's stop conditions read from the shared files: the STOP flag, or the team's best score at or above the
 * target (the coordination file's target, else ralph.config.json's targetScore). A coordination file that cannot
 * be read right now (mid-write by an agent, malformed) leaves only the STOP check: agents keep running and the
 * next check reads it again.
 */
export function checkStopConditions(
  workspace: string,
  config: RalphConfig,
  onUnsafe: (error: UnsafeFileError) => void = () => undefined,
): StopVerdict {
  let state: ReturnType<typeof stopState>;
  try {
    state = stopState(workspace, readCoordination(workspace, config.targetScore));
  } catch (error) {
    // A link, pipe or huge file in place of coordination.json is not a half-written file: someone should know.
    if (error instanceof UnsafeFileError) onUnsafe(error);
    const present = exists(workspacePaths(workspace).stop);
    return present ? { stop: true, reason: 'STOP file present' } : { stop: false };
  }
  if (state.present) return { stop: true, reason: `STOP file present${state.reason ? `: ${state.reason}` : ''}` };
  if (state.targetReached)
    return { stop: true, reason: `target score reached (ralph.config.json targetScore ${config.targetScore})` };
  return { stop: false };
}
