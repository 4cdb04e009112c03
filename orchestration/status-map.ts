/** The normalised lifecycle of a queue entry, whatever spelling the file used. */
export type EntryStatus = 'available' | 'claimed' | 'running' | 'completed' | 'failed' | 'aborted' | 'archived';

/** Priority at or above which an entry that has not run is archived (the original W0's convention). */
export const ARCHIVED_PRIORITY = 99;

// Spellings seen in fixtures/original plus obvious synonyms; compared case-insensitively.
const SYNONYMS: Record<string, EntryStatus> = {
  available: 'available',
  pending: 'available',
  ready: 'available',
  queued: 'available',
  todo: 'available',
  open: 'available',
  new: 'available',
  claimed: 'claimed',
  assigned: 'claimed',
  in_progress: 'running',
  'in-progress': 'running',
  running: 'running',
  started: 'running',
  active: 'running',
  completed: 'completed',
  complete: 'completed',
  done: 'completed',
  finished: 'completed',
  success: 'completed',
  failed: 'failed',
  error: 'failed',
  crashed: 'failed',
  aborted: 'aborted',
  cancelled: 'aborted',
  canceled: 'aborted',
  skipped: 'aborted',
  killed: 'aborted',
  not_feasible: 'aborted',
  infeasible: 'aborted',
  archived: 'archived',
  deprioritized: 'archived',
  invalid: 'archived',
  obsolete: 'archived',
  superseded: 'archived',
};

/**
 * Maps a raw status (`claimed_by_W2`, `in_progress`, `done`, `NOT_FEASIBLE`, ...) and priority to
 * the normalised status, and the worker named by the status itself if any. An unknown spelling
 * is shown as archived rather than available: claiming it could run an experiment twice.
 */
export function mapStatus(
  rawStatus: string | null | undefined,
  priority: number,
): { status: EntryStatus; worker?: string } {
  const raw = (rawStatus ?? 'available').trim();
  const claimedBy = /^claimed[_ -]by[_ -](\S+)$/i.exec(raw);
  if (claimedBy) return { status: 'claimed', worker: claimedBy[1] };
  const status = SYNONYMS[raw.toLowerCase()] ?? 'archived';
  if (status === 'available' && priority >= ARCHIVED_PRIORITY) return { status: 'archived' };
  return { status };
}
