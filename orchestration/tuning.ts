// Records tuning runs and state updates in experiments/<name>/STATE.json.
import { ensureDir, exists } from '../core/safe-fs.js';
import path from 'node:path';
import { workspacePaths } from '../core/workspace-paths.js';
import { beatsBest } from './best-score.js';
import { assertExperimentName } from './experiment-name.js';
import { updateJson } from './json-store.js';
import { withLock } from './lock.js';

/**
 * Appends one tuning run to experiments/<name>/STATE.json (the per-experiment log of runs the
 * original workers kept by hand) and keeps `best_in_budget` up to date.
 */
export async function appendTuningRun(
  root: string,
  experimentName: string,
  run: Record<string, unknown>,
): Promise<{ newBest: boolean }> {
  assertExperimentName(experimentName);
  ensureDir(workspacePaths(root).experimentDir(experimentName));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a free-form JSON document whose unknown fields are kept as they are
  return updateStateFile(root, experimentName, (doc: Record<string, any>) => {
    if (!Array.isArray(doc.tuning_runs)) doc.tuning_runs = [];
    // A replayed record (see outbox.ts) of a run already in the file changes nothing.
    if (
      run.run_id !== undefined &&
      doc.tuning_runs.some((existing: Record<string, unknown>) => existing?.run_id === run.run_id)
    )
      return { newBest: false };
    // `run` is the run's number in this file, an integer as the original workers wrote it (1, 2, …).
    const numbers = doc.tuning_runs
      .map((existing: { run?: unknown }) => existing?.run)
      .filter((n: unknown): n is number => Number.isInteger(n));
    const entry: Record<string, unknown> = { run: Math.max(doc.tuning_runs.length, ...numbers) + 1, ...run };
    if (entry.timestamp === undefined) entry.timestamp = new Date().toISOString();
    doc.tuning_runs.push(entry);
    const score = typeof run.score === 'number' ? run.score : undefined;
    const best = doc.best_in_budget;
    const newBest =
      run.in_budget === true &&
      score !== undefined &&
      (!best || typeof best.score !== 'number' || beatsBest(score, best.score));
    if (newBest) {
      // `run` stays the integer run number the original files use; a run id of ours goes beside it.
      const runId = entry.run_id === undefined ? {} : { run_id: entry.run_id };
      doc.best_in_budget = {
        run: entry.run,
        ...runId,
        score,
        time_min: run.time_min ?? null,
        config: run.config ?? null,
      };
    }
    return { newBest };
  });
}

/**
 * Sets top-level fields of experiments/<name>/STATE.json (claimed_by, status, conclusion, …) the way the
 * original workers kept it, under the same lock as appendTuningRun, so tuning runs and these fields never race.
 */
export async function updateExperimentState(
  root: string,
  name: string,
  fields: Record<string, unknown>,
): Promise<void> {
  await updateStateFile(root, name, (doc: Record<string, unknown>) => {
    Object.assign(doc, fields);
  });
}

/**
 * After a worker's process ended (a crash, a kill, a stop): STATE.json says `interrupted` instead of `running`,
 * unless the run already ended otherwise or another worker holds it. A missing STATE.json stays missing.
 */
export async function markInterruptedIfRunning(
  root: string,
  name: string,
  worker: string,
  conclusion: string,
): Promise<void> {
  if (!exists(path.join(workspacePaths(root).experimentDir(name), 'STATE.json'))) return;
  await updateStateFile(root, name, (doc: Record<string, unknown>) => {
    if (doc.status !== 'running' || (doc.claimed_by !== undefined && doc.claimed_by !== worker)) return;
    Object.assign(doc, { status: 'interrupted', interrupted_at: new Date().toISOString(), conclusion });
  });
}

/** A locked, format-preserving update of STATE.json; one lock per experiment folder, so experiments never wait for each other. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a free-form JSON document whose unknown fields are kept as they are
function updateStateFile<T>(root: string, name: string, edit: (doc: Record<string, any>) => T): Promise<T> {
  const paths = workspacePaths(root);
  return withLock(path.join(paths.locks, `experiment-${name}.lock`), () =>
    updateJson(path.join(paths.experimentDir(name), 'STATE.json'), edit, {
      create: () => ({ experiment: name, status: 'running', tuning_runs: [], best_in_budget: null }),
    }),
  );
}
