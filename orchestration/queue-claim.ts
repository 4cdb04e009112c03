// Claiming an experiment for a worker: the next available one by priority, or one by id.
import { UserError } from '../core/errors.js';
import { normaliseEntry, queueFile, type QueueEntry, type QueueLayout } from './queue-view.js';
import {
  editCoordination,
  editQueue,
  EXIT_UNAVAILABLE,
  findEntry,
  markSeen,
  now,
  setWorker,
  withSharedLock,
  workerRecord,
  type Json,
} from './shared-edit.js';
import { mapStatus } from './status-map.js';

async function markClaimed(root: string, entry: QueueEntry, worker: string): Promise<void> {
  await editCoordination(root, (doc) => {
    if (!doc.experiments_in_progress || typeof doc.experiments_in_progress !== 'object')
      doc.experiments_in_progress = {};
    doc.experiments_in_progress[entry.id] = { worker, started: now(), name: entry.name };
    const record = workerRecord(doc, worker);
    record.status = 'running';
    record.current_experiment = entry.id;
    record.last_started = now();
    markSeen(doc, record);
  });
}

function claim(raw: Json, layout: QueueLayout, worker: string): QueueEntry {
  raw.status = 'claimed';
  setWorker(raw, layout, worker);
  raw.claimed_at = now();
  return normaliseEntry(raw);
}

/**
 * Claims the next available experiment for `worker`: the lowest priority number, ties by queue
 * order. Throws a UserError with exit code 3 when none is available.
 */
export async function claimNext(root: string, worker: string): Promise<QueueEntry> {
  return withSharedLock(root, async () => {
    const claimed = await editQueue(root, (list, layout) => {
      let best: { raw: Json; priority: number } | null = null;
      for (const raw of list) {
        // The file was validated by editQueue: map the status without normalising all 800 entries.
        const priority = Number(raw.priority ?? 0);
        if (mapStatus(raw.status, priority).status !== 'available') continue;
        if (!best || priority < best.priority) best = { raw, priority };
      }
      if (!best) throw new UserError('no experiment available in the queue', EXIT_UNAVAILABLE);
      return claim(best.raw, layout, worker);
    });
    await markClaimed(root, claimed, worker);
    return claimed;
  });
}

/** Claims one experiment by id. Unknown id → exit 2; not available (e.g. claimed by W2) → exit 3. */
export async function claimById(root: string, id: string, worker: string): Promise<QueueEntry> {
  return withSharedLock(root, async () => {
    const { file } = queueFile(root);
    const claimed = await editQueue(root, (list, layout) => {
      const raw = findEntry(list, id, file);
      const entry = normaliseEntry(raw);
      if (entry.status !== 'available') {
        const who = entry.worker ? ` by ${entry.worker}` : '';
        throw new UserError(
          `experiment ${id} is not available: it is ${entry.status}${who} (status "${entry.rawStatus}")`,
          EXIT_UNAVAILABLE,
        );
      }
      return claim(raw, layout, worker);
    });
    await markClaimed(root, claimed, worker);
    return claimed;
  });
}
