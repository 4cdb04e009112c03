import type { ExternalSource } from './ports.js';

/**
 * A source whose change notifications reach a subscriber at most once per `intervalMs` (leading edge, plus one
 * trailing notification so the last change is never lost). Ink renders the whole screen on every React commit
 * and runs without a throttle of its own (run-app.tsx: maxFps 1000, so keystroke frames are not held back);
 * this keeps a chatty service — an experiment printing many chunks a second — from drawing a frame per chunk.
 */
export function throttleSource<T>(source: ExternalSource<T>, intervalMs: number, now: () => number = () => performance.now()): ExternalSource<T> {
  return {
    getSnapshot: () => source.getSnapshot(),
    subscribe(listener) {
      let last = -Infinity;
      let timer: NodeJS.Timeout | null = null;
      const fire = () => {
        timer = null;
        last = now();
        listener();
      };
      const unsubscribe = source.subscribe(() => {
        if (timer) return;
        const wait = last + intervalMs - now();
        if (wait <= 0) fire();
        else timer = setTimeout(fire, wait);
      });
      return () => {
        unsubscribe();
        if (timer) clearTimeout(timer);
      };
    },
  };
}
