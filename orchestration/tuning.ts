import fsp from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { workspacePaths } from '../core/workspace-paths.js';
import { updateJson } from './json-store.js';
import { withLock } from './lock.js';

/**
 * Appends one tuning run to experiments/<name>/STATE.json (the per-experiment log of runs the
 * original workers kept by hand) and keeps `best_in_budget` up to date. Uses a lock per
 * experiment folder: runs of different experiments never wait for each other.
 */
export async function appendTuningRun(root: string, experimentName: string, run: Record<string, unknown>): Promise<{ newBest: boolean }> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(experimentName)) throw new UserError(`invalid experiment name "${experimentName}" (letters, digits, _ . - only)`);
  const dir = workspacePaths(root).experimentDir(experimentName);
  await fsp.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'STATE.json');
  return withLock(path.join(workspacePaths(root).locks, `experiment-${experimentName}.lock`), () =>
    updateJson(
      file,
      (doc: Record<string, any>) => {
        if (!Array.isArray(doc.tuning_runs)) doc.tuning_runs = [];
        const entry: Record<string, unknown> = { run: doc.tuning_runs.length + 1, ...run };
        if (entry.timestamp === undefined) entry.timestamp = new Date().toISOString();
        doc.tuning_runs.push(entry);
        const score = typeof run.score === 'number' ? run.score : undefined;
        const best = doc.best_in_budget;
        const newBest = run.in_budget === true && score !== undefined && (!best || typeof best.score !== 'number' || score > best.score);
        if (newBest) {
          doc.best_in_budget = { run: entry.run_id ?? entry.run, score, time_min: run.time_min ?? null, config: run.config ?? null };
        }
        return { newBest };
      },
      { create: () => ({ experiment: experimentName, status: 'running', tuning_runs: [], best_in_budget: null }) },
    ),
  );
}
