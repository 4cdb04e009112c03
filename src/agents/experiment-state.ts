import path from 'node:path';
import { updateJson } from '../../orchestration/json-store.js';
import { withLock } from '../../orchestration/lock.js';
import { workspacePaths } from '../../core/workspace-paths.js';

/**
 * Sets top-level fields of experiments/<name>/STATE.json (claimed_by, status, conclusion, …) the way the
 * original workers kept it, through orchestration's locked, format-preserving update. The lock is the one
 * `appendTuningRun` takes for the same file, so the runner's tuning runs and these fields never race.
 */
export async function updateExperimentState(root: string, name: string, fields: Record<string, unknown>): Promise<void> {
  const paths = workspacePaths(root);
  const file = path.join(paths.experimentDir(name), 'STATE.json');
  await withLock(path.join(paths.locks, `experiment-${name}.lock`), () =>
    updateJson(
      file,
      (doc: Record<string, unknown>) => {
        Object.assign(doc, fields);
      },
      { create: () => ({ experiment: name, status: 'running', tuning_runs: [], best_in_budget: null }) },
    ),
  );
}
