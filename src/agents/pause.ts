// A sleep for agents that wakes early on STOP or abort, so stops are honoured within a second.
import { stopState } from '../../orchestration/index.js';

export type PauseOutcome = 'elapsed' | 'stop' | 'aborted';

/** How often a sleeping agent looks for STOP: a stat per second is negligible and keeps stops prompt. */
const STOP_CHECK_MS = 1_000;

/**
 * Sleeps up to `ms`, waking early when the STOP file appears or the signal aborts (SIGTERM): agents never
 * busy-loop, yet honour a stop within about a second.
 */
export async function pause(root: string, ms: number, signal?: AbortSignal): Promise<PauseOutcome> {
  const until = Date.now() + ms;
  for (;;) {
    if (signal?.aborted) return 'aborted';
    // Only the STOP file: the target check would read coordination.json, which may be the file being waited out.
    if (stopState(root, null).present) return 'stop';
    const left = until - Date.now();
    if (left <= 0) return 'elapsed';
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(left, STOP_CHECK_MS));
      signal?.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
    });
  }
}
