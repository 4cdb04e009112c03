// Reads the experiment queue in any of its formats into one normalised, read-only view.
import type { GenericSchema } from 'valibot';
import { exists } from '../core/safe-fs.js';
import { workspacePaths } from '../core/workspace-paths.js';
import { readJsonSync } from './json-store.js';
import { parseFile, QueueFileV1, QueueFileV2, QueueFileV3, RawQueueEntry } from './schemas.js';
import { mapStatus, type EntryStatus } from './status-map.js';

export type { EntryStatus } from './status-map.js';

/** One queue entry, normalised from any format. The raw entry stays in the file untouched. */
export interface QueueEntry {
  id: string;
  name: string;
  priority: number;
  family?: string;
  status: EntryStatus;
  /** The status exactly as written in the file (`claimed_by_W2`, `done`, `NOT_FEASIBLE`, ...). */
  rawStatus: string;
  worker?: string;
  score?: number;
  timeMin?: number;
  result?: string;
  finding?: string;
  description?: string;
  hypothesis?: string;
  config?: Record<string, unknown>;
  claimedAt?: string;
  completedAt?: string;
}

/** v3+: experiment_queue.json `experiment_queue`; v2: `ready_experiments`; v1: queue.json `research_topics`. */
export type QueueFormat = 'v3' | 'v2' | 'v1' | 'missing';

export type StatusCounts = Record<EntryStatus, number> & { total: number };

export interface QueueView {
  format: QueueFormat;
  /** The file read, or null when neither queue file exists yet. */
  file: string | null;
  entries: QueueEntry[];
  counts: StatusCounts;
}

/** Where a format keeps its entries and who works on them: what the locked operations edit. */
export interface QueueLayout {
  format: Exclude<QueueFormat, 'missing'>;
  listKey: 'experiment_queue' | 'ready_experiments' | 'research_topics';
  workerKey: 'worker' | 'assigned_to';
  doneKey?: 'completed_experiments' | 'completed_topics';
}

const LAYOUTS: QueueLayout[] = [
  { format: 'v3', listKey: 'experiment_queue', workerKey: 'worker' },
  { format: 'v2', listKey: 'ready_experiments', workerKey: 'assigned_to', doneKey: 'completed_experiments' },
  { format: 'v1', listKey: 'research_topics', workerKey: 'assigned_to', doneKey: 'completed_topics' },
];
const SCHEMAS: Record<QueueLayout['format'], GenericSchema> = { v3: QueueFileV3, v2: QueueFileV2, v1: QueueFileV1 };

export function emptyCounts(): StatusCounts {
  return { available: 0, claimed: 0, running: 0, completed: 0, failed: 0, aborted: 0, archived: 0, total: 0 };
}

/** Which layout a parsed queue document uses; a document with none of the known lists is v3 (and gets one on first add). */
export function detectLayout(data: unknown, file: string): QueueLayout {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    parseFile(QueueFileV3, data, file); // throws: names what the root should be
  }
  const record = data as Record<string, unknown>;
  return LAYOUTS.find((layout) => Array.isArray(record[layout.listKey])) ?? LAYOUTS[0];
}

/** Validates a parsed queue document; errors name the file and the field. */
export function validateQueue(data: unknown, file: string): QueueLayout {
  const layout = detectLayout(data, file);
  if (!Array.isArray((data as Record<string, unknown>)[layout.listKey])) return layout; // {} → an empty v3 queue
  parseFile(SCHEMAS[layout.format], data, file);
  return layout;
}

function text(value: unknown): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** Normalises one raw entry (already validated). `defaultStatus` applies to v2/v1 completed lists. */
export function normaliseEntry(raw: RawQueueEntry | string, defaultStatus?: string): QueueEntry {
  if (typeof raw === 'string') {
    return { id: raw, name: raw, priority: 0, status: 'completed', rawStatus: defaultStatus ?? 'completed' };
  }
  const entry = parseFile(RawQueueEntry, raw, 'queue entry');
  const priority = num(entry.priority) ?? 0;
  const rawStatus = entry.status ?? defaultStatus ?? 'available';
  const mapped = mapStatus(rawStatus, priority);
  const id = entry.id ?? entry.name ?? '';
  const out: QueueEntry = { id, name: entry.name ?? id, priority, status: mapped.status, rawStatus };
  const worker =
    mapped.worker ?? entry.worker ?? entry.claimed_by ?? entry.assigned_to ?? entry.completed_by ?? undefined;
  if (worker) out.worker = worker;
  if (entry.family) out.family = entry.family;
  const score = num(entry.score);
  if (score !== undefined) out.score = score;
  const timeMin = num(entry.time_min);
  if (timeMin !== undefined) out.timeMin = timeMin;
  const result = text(entry.result);
  if (result) out.result = result;
  const finding = text(entry.finding);
  if (finding) out.finding = finding;
  if (entry.description) out.description = entry.description;
  if (entry.hypothesis) out.hypothesis = entry.hypothesis;
  if (entry.config) out.config = entry.config;
  const claimedAt = entry.claimed_at ?? entry.started_at;
  if (claimedAt) out.claimedAt = claimedAt;
  if (entry.completed_at) out.completedAt = entry.completed_at;
  return out;
}

/** The normalised view of a parsed queue document. */
export function queueViewOf(data: unknown, file: string): QueueView {
  const layout = validateQueue(data, file);
  const record = data as Record<string, unknown>;
  const list = (record[layout.listKey] as RawQueueEntry[] | undefined) ?? [];
  const entries = list.map((raw) => normaliseEntry(raw));
  if (layout.doneKey && Array.isArray(record[layout.doneKey])) {
    const known = new Set(entries.map((entry) => entry.id));
    for (const raw of record[layout.doneKey] as Array<RawQueueEntry | string>) {
      const entry = normaliseEntry(raw, 'completed');
      if (!known.has(entry.id)) entries.push(entry);
    }
  }
  return { format: layout.format, file, entries, counts: countStatuses(entries) };
}

export function countStatuses(entries: readonly QueueEntry[]): StatusCounts {
  const counts = emptyCounts();
  for (const entry of entries) counts[entry.status]++;
  counts.total = entries.length;
  return counts;
}

/** The queue file in use: experiment_queue.json, else the v1 queue.json, else (missing) experiment_queue.json. */
export function queueFile(root: string): { file: string; exists: boolean } {
  const paths = workspacePaths(root);
  if (exists(paths.queue)) return { file: paths.queue, exists: true };
  if (exists(paths.legacyQueue)) return { file: paths.legacyQueue, exists: true };
  return { file: paths.queue, exists: false };
}

/** Reads and normalises the workspace's queue (any format). A missing queue is an empty view. */
export function readQueue(root: string): QueueView {
  const { file } = queueFile(root);
  const doc = readJsonSync(file);
  if (!doc) return { format: 'missing', file: null, entries: [], counts: emptyCounts() };
  return queueViewOf(doc.data, file);
}

/** Available entries in the order they will be claimed: lowest priority number first, ties by queue order. */
export function nextUp(view: QueueView, limit = Infinity): QueueEntry[] {
  return view.entries
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => entry.status === 'available')
    .sort((a, b) => a.entry.priority - b.entry.priority || a.index - b.index)
    .slice(0, limit)
    .map(({ entry }) => entry);
}

/** The entry a worker holds (claimed or running), or null. */
export function claimedBy(root: string, worker: string): QueueEntry | null {
  return (
    readQueue(root).entries.find(
      (entry) => entry.worker === worker && (entry.status === 'claimed' || entry.status === 'running'),
    ) ?? null
  );
}
