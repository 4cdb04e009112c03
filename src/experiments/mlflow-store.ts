// Logs finished runs into an MLflow file store (mlruns/) so they show in the MLflow UI.
import { randomInt, randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import {
  ensureDir,
  exists,
  listDir,
  makeDirOnce,
  readBytes,
  readText,
  removeEmptyDir,
  removeTree,
  renameEntry,
  writeAtomicSync,
} from '../../core/safe-fs.js';
import { withLock } from '../../orchestration/lock.js';

export const MLFLOW_EXPERIMENT = 'heat-signature-zero';

/** MLflow's RunStatus numbers as the file store writes them. */
const RUN_STATUS = { FINISHED: 3, FAILED: 4, KILLED: 5 } as const;

/** An experiment's meta.yaml is a few hundred bytes; a megabyte is already absurd. */
const META_MAX_BYTES = 1024 * 1024;

/** Where MLflow's FileStore keeps deleted experiments (`mlflow experiments delete` moves them here). */
const TRASH = '.trash';

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

export interface MlflowOptions {
  /** Lock folder serialising experiment creation between runs finishing together. */
  lockDir: string;
  /**
   * Maps a path as this process sees it to the path the host's `mlflow ui` will see (a run inside an agent
   * container writes under /workspace, which the host knows under another name). Default: unchanged.
   */
  hostPath?: (file: string) => string;
}

/**
 * Logs a run into an MLflow *file store* (`mlruns/`) without Python, in the layout MLflow's
 * FileStore reads, so `mlflow ui --backend-store-uri ./mlruns` lists it. No maintained npm package
 * writes this layout (the JS clients all talk to a tracking server), hence this small writer.
 *   mlruns/<exp_id>/meta.yaml                 experiment (name heat-signature-zero)
 *   mlruns/<exp_id>/<run_id>/meta.yaml        run
 *   mlruns/<exp_id>/<run_id>/params/<key>     value as text
 *   mlruns/<exp_id>/<run_id>/metrics/<key>    "<timestamp_ms> <value> <step>"
 *   mlruns/<exp_id>/<run_id>/tags/<key>       e.g. mlflow.runName
 *   mlruns/<exp_id>/<run_id>/artifacts/<file> e.g. result.json
 * MLflow treats every folder in `mlruns/` as an experiment and every folder in an experiment as a run,
 * and one it cannot parse fails its whole search. So a run is assembled in a staging folder next to
 * `mlruns/` (not inside it), renamed into place without its meta.yaml (MLflow skips such a folder), and
 * gets its meta.yaml last, by an atomic rename.
 */
export async function logMlflowRun(
  mlruns: string,
  run: MlflowRun,
  options: MlflowOptions,
): Promise<{ experimentId: string; runId: string; runDir: string }> {
  const fresh = !exists(mlruns);
  ensureDir(mlruns);
  const hostPath = options.hostPath ?? ((file: string) => file);
  // Two runs finishing together must not both create the experiment.
  const experiment = await withLock(path.join(options.lockDir, 'mlruns.lock'), async () =>
    ensureExperiment(mlruns, MLFLOW_EXPERIMENT, run.startTime, fresh, hostPath),
  );
  const runId = run.runId ?? randomUUID().replace(/-/g, '');
  const runDir = path.join(mlruns, experiment.id, runId);
  const user = userName();
  const meta = () =>
    yamlText({
      // MLflow puts a run's artifacts under its experiment's artifact location, whoever created it.
      artifact_uri: `${experiment.artifactLocation.replace(/\/+$/, '')}/${runId}/artifacts`,
      end_time: run.endTime,
      entry_point_name: '',
      experiment_id: experiment.id,
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
      user_id: user,
    });
  if (exists(runDir)) {
    // Logged before a crash; one that died between the rename and its meta.yaml gets it now.
    const metaFile = path.join(runDir, 'meta.yaml');
    if (!exists(metaFile)) writeAtomicSync(metaFile, meta(), { fsync: false });
    return { experimentId: experiment.id, runId, runDir };
  }
  const staging = stagingDir(mlruns, runId);
  try {
    const body = path.join(staging, BODY);
    writeEntries(
      path.join(body, 'params'),
      Object.entries(run.params).map(([key, value]) => [key, paramText(value)]),
    );
    writeEntries(
      path.join(body, 'metrics'),
      Object.entries(run.metrics)
        .filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1]))
        .map(([key, value]) => [key, `${run.endTime} ${value} 0\n`]),
    );
    const tags = {
      'mlflow.runName': run.runName,
      'mlflow.source.name': 'ralph-tui run',
      'mlflow.source.type': 'LOCAL',
      'mlflow.user': user,
      ...run.tags,
    };
    writeEntries(path.join(body, 'tags'), Object.entries(tags));
    writeEntries(path.join(body, 'artifacts'), Object.entries(run.artifacts ?? {}));
    moveIntoPlace(staging, runDir, { 'meta.yaml': meta() });
  } finally {
    removeStaging(staging);
  }
  return { experimentId: experiment.id, runId, runDir };
}

interface Experiment {
  id: string;
  artifactLocation: string;
}

/**
 * The active experiment with this name, or a new one. MLflow refuses to reuse the name of a deleted
 * experiment (it can still be restored), so runs then go to the first free `name-2`, `name-3`, ...
 */
function ensureExperiment(
  mlruns: string,
  name: string,
  now: number,
  fresh: boolean,
  hostPath: (file: string) => string,
): Experiment {
  const active = readExperiments(mlruns);
  const deleted = readExperiments(path.join(mlruns, TRASH));
  const taken = new Set([...active.keys(), ...deleted.keys()]);
  // MLflow's FileStore creates experiment 0 ("Default") and .trash when it makes a new store; do the same.
  if (fresh) {
    createExperiment(mlruns, '0', 'Default', now, hostPath);
    ensureDir(path.join(mlruns, TRASH));
    taken.add('0');
  }
  const deletedNames = new Set([...deleted.values()].map((meta) => meta.name));
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? name : `${name}-${n}`;
    for (const [id, meta] of active) {
      if (meta.name === candidate && meta.lifecycle_stage !== 'deleted') {
        return {
          id,
          artifactLocation:
            typeof meta.artifact_location === 'string'
              ? meta.artifact_location
              : pathToFileURL(hostPath(path.join(mlruns, id))).href,
        };
      }
    }
    if (deletedNames.has(candidate)) continue;
    let id = newExperimentId();
    while (taken.has(id)) id = newExperimentId();
    return { id, artifactLocation: createExperiment(mlruns, id, candidate, now, hostPath) };
  }
}

/** Experiment folders (id → their meta.yaml) directly under `dir`; unreadable ones count as taken ids. */
function readExperiments(
  dir: string,
): Map<string, { name?: unknown; lifecycle_stage?: unknown; artifact_location?: unknown }> {
  const experiments = new Map<string, { name?: unknown; lifecycle_stage?: unknown; artifact_location?: unknown }>();
  let entries: Dirent[];
  try {
    entries = listDir(dir);
  } catch {
    return experiments;
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name === TRASH) continue;
    let meta = {};
    try {
      meta =
        (YAML.parse(readText(path.join(dir, entry.name, 'meta.yaml'), { maxBytes: META_MAX_BYTES }) ?? '') as
          object | null) ?? {};
    } catch {
      // Not an experiment MLflow could read either; its id stays taken.
    }
    experiments.set(entry.name, meta);
  }
  return experiments;
}

/**
 * An id as MLflow ≥ 2 makes them: 18 random digits, no leading zero. Ids are only ever compared as
 * strings: above 2^53 JavaScript numbers round, and `max + 1` then named an existing experiment.
 */
export function newExperimentId(): string {
  let id = String(randomInt(1, 10));
  while (id.length < 18) id += String(randomInt(0, 10));
  return id;
}

/** Creates the experiment folder in one rename; returns its artifact location. */
function createExperiment(
  mlruns: string,
  id: string,
  name: string,
  now: number,
  hostPath: (file: string) => string,
): string {
  const dir = path.join(mlruns, id);
  const artifactLocation = pathToFileURL(hostPath(dir)).href;
  const staging = stagingDir(mlruns, `experiment-${id}`);
  try {
    // An experiment appears whole, meta.yaml included: MLflow warns about a folder without one.
    const meta = yamlText({
      artifact_location: artifactLocation,
      creation_time: now,
      experiment_id: id,
      last_update_time: now,
      lifecycle_stage: 'active',
      name,
    });
    writeAtomicSync(path.join(staging, BODY, 'meta.yaml'), meta, { fsync: false });
    moveIntoPlace(staging, dir, {});
  } finally {
    removeStaging(staging);
  }
  return artifactLocation;
}

/** The folder a staging area's content is assembled in before it moves into `mlruns/`. */
const BODY = 'body';

/** A fresh folder beside `mlruns/` (MLflow would read one inside it as a broken experiment). */
function stagingDir(mlruns: string, name: string): string {
  const dir = path.join(path.dirname(mlruns), '.mlruns-staging', `${name}-${process.pid}-${randomUUID().slice(0, 8)}`);
  ensureDir(path.join(dir, BODY));
  return dir;
}

function removeStaging(staging: string): void {
  removeTree(staging);
  try {
    removeEmptyDir(path.dirname(staging));
  } catch {
    // Another run is staging there too; the last one out removes it.
  }
}

/**
 * Moves the staged `body` folder to `target`, which must not exist yet (an existing folder is never
 * written into), then adds the `last` files (meta.yaml), each by an atomic replace. When the staging
 * folder is on another file system than `target` (mlruns mounted on its own), the folder is copied in
 * place instead, still with meta.yaml last.
 */
function moveIntoPlace(staging: string, target: string, last: Record<string, string>): void {
  if (exists(target)) throw new Error(`${target} already exists; it was left untouched.`);
  try {
    // rename(2) would replace an existing *empty* folder; the check above keeps even that from happening.
    renameEntry(path.join(staging, BODY), target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    copyTree(path.join(staging, BODY), target);
  }
  for (const [file, text] of Object.entries(last)) writeAtomicSync(path.join(target, file), text, { fsync: false });
}

/** Copies a staged folder (ours: folders and small regular files only) to a new folder, never into an existing one. */
function copyTree(from: string, to: string): void {
  if (!makeDirOnce(to)) throw new Error(`${to} already exists; it was left untouched.`);
  for (const entry of listDir(from)) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) copyTree(source, path.join(to, entry.name));
    else writeAtomicSync(path.join(to, entry.name), readBytes(source) ?? '', { fsync: false });
  }
}

/**
 * YAML as MLflow's Python reads it: PyYAML implements YAML 1.1, where `on`, `no`, `yes` are booleans
 * and `1:30` is a base-60 integer, so strings like those must be quoted; the 1.1 schema does that.
 */
export function yamlText(value: Record<string, unknown>): string {
  return YAML.stringify(value, { version: '1.1' });
}

/**
 * The user MLflow would record. os.userInfo() throws for a uid without a passwd entry (a container run
 * as the host's 501:20); MLflow's getpass then falls back on the environment, and so does this.
 */
export function userName(userInfo: () => { username: string } = () => os.userInfo()): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.LOGNAME || process.env.USER || process.env.USERNAME || `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

function writeEntries(dir: string, entries: Array<[string, string]>): void {
  ensureDir(dir);
  for (const [key, text] of entries)
    writeAtomicSync(path.join(dir, key.replace(/[^\w.\- ]/g, '_')), text, { fsync: false });
}

/** Params as MLflow shows them: plain text for scalars, JSON for lists and objects. */
function paramText(value: unknown): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'object' && value !== null
      ? JSON.stringify(value)
      : String(value);
}
