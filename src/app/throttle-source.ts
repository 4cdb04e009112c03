// Wraps a store so its change notifications reach the screen at most once per interval.
import { leadingThrottle } from '../../core/throttle.js';
import type { ExternalSource } from './ports.js';

/**
 * A source whose change notifications reach a subscriber at most once per `intervalMs` (leading edge, plus one
 * trailing notification so the last change is never lost). Ink renders the whole screen on every React commit
 * and runs without a throttle of its own (run-app.tsx: maxFps 1000, so keystroke frames are not held back);
 * this keeps a chatty service — an experiment printing many chunks a second — from drawing a frame per chunk.
 */
export function throttleSource<T>(
  source: ExternalSource<T>,
  intervalMs: number,
  now: () => number = () => performance.now(),
): ExternalSource<T> {
  return {
    getSnapshot: () => source.getSnapshot(),
    subscribe(listener) {
      const throttle = leadingThrottle(listener, intervalMs, { now });
      const unsubscribe = source.subscribe(() => throttle.request());
      return () => {
        unsubscribe();
        throttle.cancel();
      };
    },
  };
}
