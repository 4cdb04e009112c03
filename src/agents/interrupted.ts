// A run that ended without a result (stopped, crashed, killed) leaves its STATE.json `interrupted`, never `running`.
import { claimedBy, markInterruptedIfRunning } from '../../orchestration/index.js';
import { slug } from './proposals.js';

/** After a worker's process ended, however it ended: the experiment it had claimed (the claim stays for its restart). */
export async function markClaimInterrupted(root: string, worker: string): Promise<void> {
  const entry = claimedBy(root, worker);
  if (!entry) return;
  await markInterruptedIfRunning(
    root,
    slug(entry.name) || slug(entry.id),
    worker,
    `INTERRUPTED - ${worker} ended while it ran; the claim resumes when ${worker} restarts`,
  );
}
