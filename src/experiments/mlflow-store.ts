import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { ensureDir, exists, listDir, readText, removeTree, renameEntry, writeAtomicSync } from '../../core/safe-fs.js';
import { withLock } from '../../orchestration/lock.js';

export const MLFLOW_EXPERIMENT = 'heat-signature-zero';

/** MLflow's RunStatus numbers as the file store writes them. */
const RUN_STATUS = { FINISHED: 3, FAILED: 4, KILLED: 5 } as const;

export interface MlflowRun {
  runName: string;
  params: Record<string, unknown>;
  /** Metrics with a null/NaN value are left out (MLflow has no "missing"). */
  metrics: Record<string, number | null | undefined>;
  tags?: Record<string, string>;
  startTime: number;
  endTime: number;
  status: keyof typeof RUN_STATUS;
  /** Small files shown under the run's Artifacts tab (name → text). */
  artifacts?: Record<string, string>;
  /**
   * A stable id (32 hex digits) makes logging idempotent: a run folder that already exists is the same run,
   * logged before a crash, and is kept as it is. Default: a random id.
   */
  runId?: string;
}

/**
 * Logs a run into an MLflow *file store* (`mlruns/`) without Python, in the layout MLflow's
 * FileStore reads, so `mlflow ui --backend-store-uri mlruns` lists it. No maintained npm package
 * writes this layout (the JS clients all talk to a tracking server), hence this small writer.
 *   mlruns/<exp_id>/meta.yaml                 experiment (name heat-signature-zero)
 *   mlruns/<exp_id>/<run_id>/meta.yaml        run
 *   mlruns/<exp_id>/<run_id>/params/<key>     value as text
 *   mlruns/<exp_id>/<run_id>/metrics/<key>    "<timestamp_ms> <value> <step>"
 *   mlruns/<exp_id>/<run_id>/tags/<key>       e.g. mlflow.runName
 *   mlruns/<exp_id>/<run_id>/artifacts/<file> e.g. result.json
 * The run folder is written under a hidden name and renamed into place, so MLflow never lists a
 * half-written run.
 */
export async function logMlflowRun(mlruns: string, run: MlflowRun, lockDir: string): Promise<{ experimentId: string; runId: string; runDir: string }> {
  ensureDir(mlruns);
  // Two runs finishing together must not both create the experiment.
  const experimentId = await withLock(path.join(lockDir, 'mlruns.lock'), async () => ensureExperiment(mlruns, MLFLOW_EXPERIMENT, run.startTime));
  const runId = run.runId ?? randomUUID().replace(/-/g, '');
  const experimentDir = path.join(mlruns, experimentId);
  const staging = path.join(experimentDir, `.staging-${runId}`);
  const runDir = path.join(experimentDir, runId);
  if (exists(runDir)) return { experimentId, runId, runDir };
  removeTree(staging);
  ensureDir(staging);
  try {
    writeYaml(path.join(staging, 'meta.yaml'), {
      artifact_uri: pathToFileURL(path.join(runDir, 'artifacts')).href,
      end_time: run.endTime,
      entry_point_name: '',
      experiment_id: experimentId,
      lifecycle_stage: 'active',
      run_id: runId,
      run_name: run.runName,
      run_uuid: runId,
      source_name: '',
      source_type: 4,
      source_version: '',
      start_time: run.startTime,
      status: RUN_STATUS[run.status],
      tags: [],
      user_id: os.userInfo().username,
    });
    writeEntries(path.join(staging, 'params'), Object.entries(run.params).map(([key, value]) => [key, paramText(value)]));
    writeEntries(
      path.join(staging, 'metrics'),
      Object.entries(run.metrics)
        .filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1]))
        .map(([key, value]) => [key, `${run.endTime} ${value} 0\n`]),
    );
    const tags = { 'mlflow.runName': run.runName, 'mlflow.source.name': 'ralph-tui run', 'mlflow.source.type': 'LOCAL', 'mlflow.user': os.userInfo().username, ...run.tags };
    writeEntries(path.join(staging, 'tags'), Object.entries(tags));
    writeEntries(path.join(staging, 'artifacts'), Object.entries(run.artifacts ?? {}));
    renameEntry(staging, runDir);
  } catch (error) {
    removeTree(staging);
    throw error;
  }
  return { experimentId, runId, runDir };
}

/** The id of the experiment with this name, creating it (next free integer id) when missing. */
function ensureExperiment(mlruns: string, name: string, now: number): string {
  const ids: number[] = [];
  for (const entry of listDir(mlruns)) {
    if (!entry.isDirectory() || !/^\d+$/.test(entry.name)) continue;
    ids.push(Number(entry.name));
    try {
      const meta = YAML.parse(readText(path.join(mlruns, entry.name, 'meta.yaml'), { maxBytes: 1024 * 1024 }) ?? '') as { name?: unknown; lifecycle_stage?: unknown };
      if (meta?.name === name && meta.lifecycle_stage !== 'deleted') return entry.name;
    } catch {
      // Not an experiment folder MLflow could read either; skip it.
    }
  }
  // MLflow's FileStore creates experiment 0 ("Default") when it makes a new store; do the same.
  if (!ids.includes(0)) createExperiment(mlruns, '0', 'Default', now);
  const id = String(Math.max(0, ...ids) + 1);
  createExperiment(mlruns, id, name, now);
  return id;
}

function createExperiment(mlruns: string, id: string, name: string, now: number): void {
  const dir = path.join(mlruns, id);
  ensureDir(dir);
  writeYaml(path.join(dir, 'meta.yaml'), {
    artifact_location: pathToFileURL(dir).href,
    creation_time: now,
    experiment_id: id,
    last_update_time: now,
    lifecycle_stage: 'active',
    name,
  });
}

function writeYaml(file: string, value: Record<string, unknown>): void {
  // MLflow quotes ids as strings ('1'); the yaml package does the same for numeric-looking strings.
  writeAtomicSync(file, YAML.stringify(value), { fsync: false });
}

function writeEntries(dir: string, entries: Array<[string, string]>): void {
  ensureDir(dir);
  for (const [key, text] of entries) writeAtomicSync(path.join(dir, key.replace(/[^\w.\- ]/g, '_')), text, { fsync: false });
}

/** Params as MLflow shows them: plain text for scalars, JSON for lists and objects. */
function paramText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}
