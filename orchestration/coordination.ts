// Reads coordination.json in every format seen into one view: best scores, workers, target.
import { listDir } from '../core/safe-fs.js';
import { workspacePaths } from '../core/workspace-paths.js';
import { readJsonSync, type JsonDocument } from './json-store.js';
import { CoordinationFile, parseFile, WorkerStateFile, type RawCompleted } from './schemas.js';

/** The competition's target score, wherever no file names one. */
export const DEFAULT_TARGET = 1.25;

export interface BestScore {
  score: number;
  timeMin: number | null;
  experiment: string | null;
}

export interface WorkerView {
  status: string;
  currentExperiment?: string;
  /** Experiments finished: the file's experiments_run, or the completed experiments naming it if that is more. */
  runs: number;
  /** ISO time. */
  lastSeen?: string;
  focus?: string;
}

export interface CompletedView {
  id?: string;
  name: string;
  worker?: string;
  score?: number;
  timeMin?: number;
  result?: string;
}

export interface InProgressView {
  id: string;
  worker?: string;
  name?: string;
  started?: string;
}

/** v3: best_scores.in_budget; v1 (also v2): best_score / best_time_min / target_score at the top. */
export type CoordinationFormat = 'v3' | 'v1' | 'missing';

export interface CoordinationView {
  format: CoordinationFormat;
  best: BestScore | null;
  target: number;
  /** Where `target` came from: the file's target_score, ralph.config.json's targetScore, or the default 1.25. */
  targetSource: 'coordination' | 'config' | 'default';
  workers: Record<string, WorkerView>;
  inProgress: InProgressView[];
  completed: CompletedView[];
  findings: string[];
}

function str(value: unknown): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isoTime(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    // The original scripts wrote time.time() (seconds); JavaScript writers use milliseconds.
    return new Date(value > 1e12 ? value : value * 1000).toISOString();
  }
  return typeof value === 'string' && value ? value : undefined;
}

export function coordinationFormat(data: Record<string, unknown>): Exclude<CoordinationFormat, 'missing'> {
  return 'best_score' in data && !('best_scores' in data) ? 'v1' : 'v3';
}

/** The best in-budget score, wherever this generation of the file keeps it. */
export function bestOf(data: CoordinationFile): BestScore | null {
  const inBudget = data.best_scores?.in_budget;
  if (inBudget && typeof inBudget.score === 'number') {
    return { score: inBudget.score, timeMin: inBudget.time_min ?? null, experiment: inBudget.experiment ?? null };
  }
  if (typeof data.best_score === 'number') {
    return {
      score: data.best_score,
      timeMin: data.best_time_min ?? null,
      experiment: data.best_config?.experiment ?? null,
    };
  }
  return null;
}

function completedOf(raw: RawCompleted): CompletedView {
  if (typeof raw === 'string') return { name: raw };
  const out: CompletedView = { name: raw.name ?? raw.id ?? '(unnamed)' };
  if (raw.id) out.id = raw.id;
  if (raw.worker) out.worker = raw.worker;
  if (typeof raw.score === 'number') out.score = raw.score;
  if (typeof raw.time_min === 'number') out.timeMin = raw.time_min;
  const result = str(raw.result);
  if (result) out.result = result;
  return out;
}

function findingText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const textField = record.text ?? record.finding ?? record.description;
    if (typeof textField === 'string')
      return typeof record.worker === 'string' ? `${record.worker}: ${textField}` : textField;
  }
  return JSON.stringify(value);
}

/**
 * Validates and normalises a parsed coordination.json (either form). `configTarget` is ralph.config.json's
 * targetScore, used when the file names no target.
 */
export function coordinationViewOf(data: unknown, file: string, configTarget?: number): CoordinationView {
  const doc = parseFile(CoordinationFile, data, file);
  const completed = (doc.experiments_completed ?? []).map(completedOf);
  const workers: Record<string, WorkerView> = {};
  for (const [id, raw] of Object.entries(doc.workers ?? {})) {
    const counted = completed.filter((entry) => entry.worker === id).length;
    const view: WorkerView = {
      status: raw.status ?? 'unknown',
      runs: Math.max(raw.experiments_run ?? raw.runs ?? 0, counted),
    };
    if (raw.current_experiment) view.currentExperiment = raw.current_experiment;
    const lastSeen = isoTime(raw.last_seen) ?? isoTime(raw.last_started);
    if (lastSeen) view.lastSeen = lastSeen;
    const focus = raw.focus ?? raw.focus_area;
    if (focus) view.focus = focus;
    workers[id] = view;
  }
  const inProgress: InProgressView[] = Object.entries(doc.experiments_in_progress ?? {}).map(([id, raw]) => {
    const view: InProgressView = { id };
    if (raw.worker) view.worker = raw.worker;
    if (raw.name) view.name = raw.name;
    const started = raw.started ?? raw.started_at;
    if (started) view.started = started;
    return view;
  });
  const target = doc.target_score ?? configTarget ?? DEFAULT_TARGET;
  const targetSource = doc.target_score != null ? 'coordination' : configTarget !== undefined ? 'config' : 'default';
  return {
    format: coordinationFormat(data as Record<string, unknown>),
    best: bestOf(doc),
    target,
    targetSource,
    workers,
    inProgress,
    completed,
    findings: (doc.research_findings ?? []).map(findingText),
  };
}

/** Merges v1 per-worker state files (state_W*.json) for workers coordination.json does not describe. */
function mergeWorkerStates(root: string, workers: Record<string, WorkerView>): void {
  const shared = workspacePaths(root).shared;
  let names: string[];
  try {
    names = listDir(shared).map((found) => found.name);
  } catch {
    return;
  }
  for (const name of names) {
    const match = /^state_(W\d+)\.json$/.exec(name);
    if (!match) continue;
    const file = `${shared}/${name}`;
    const doc = readJsonSync(file);
    if (!doc) continue;
    const state = parseFile(WorkerStateFile, doc.data, file);
    const id = state.worker_id ?? match[1];
    const existing = workers[id];
    const current = state.current_topic?.name ?? undefined;
    if (existing) {
      if (!existing.currentExperiment && current) existing.currentExperiment = current;
      continue;
    }
    const view: WorkerView = {
      status: state.topic_status ?? 'unknown',
      runs: state.session_info?.experiments_this_session ?? 0,
    };
    if (current) view.currentExperiment = current;
    const lastSeen = state.session_info?.last_active;
    if (lastSeen) view.lastSeen = lastSeen;
    workers[id] = view;
  }
}

/** The view of an already-read coordination.json (null: missing) plus any state_W*.json. */
export function coordinationFromDocument(
  root: string,
  doc: JsonDocument | null,
  configTarget?: number,
): CoordinationView {
  const file = workspacePaths(root).coordination;
  const view = coordinationViewOf(doc ? doc.data : {}, file, configTarget);
  if (!doc) view.format = 'missing';
  mergeWorkerStates(root, view.workers);
  return view;
}

/**
 * Reads and normalises coordination.json (either form) plus any state_W*.json. Missing → an empty view.
 * `configTarget`: ralph.config.json's targetScore, the target when the file names none.
 */
export function readCoordination(root: string, configTarget?: number): CoordinationView {
  return coordinationFromDocument(root, readJsonSync(workspacePaths(root).coordination), configTarget);
}

/** A fresh coordination.json in the current (v3) form, for a workspace that has none yet. */
export function newCoordination(): Record<string, unknown> {
  return {
    version: '1',
    last_updated: new Date().toISOString(),
    best_scores: { in_budget: null },
    workers: {},
    experiments_in_progress: {},
    experiments_completed: [],
    research_findings: [],
  };
}
