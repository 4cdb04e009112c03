// A leading-edge throttle: a request runs at once when the last run is an interval old, else once at its end.

/**
 * A trailing debounce that restarts on every request never fires under a steady stream of them (measured on
 * agent output, ARCHITECTURE.md); this runs on the leading edge, and requests within the interval merge into one
 * run at its end, so the last change is never lost.
 */
export interface Throttle {
  /** Asks for a run; `urgent` skips the wait (a pending timed run is brought forward). */
  request(urgent?: boolean): void;
  /** Runs now, outside the throttle; it counts as the last run. */
  runNow(): void;
  /** Drops a pending run. */
  cancel(): void;
}

export interface ThrottleOptions {
  /**
   * How a run that need not wait starts: within the request ('sync'), after the current burst of I/O callbacks
   * ('immediate', so the chunks of one read land in one run), or on a timer like a delayed one ('timer').
   */
  leading?: 'sync' | 'immediate' | 'timer';
  now?: () => number;
}

/** `run` returns false when it found nothing to do: that does not count as a run. */
export function leadingThrottle(
  run: () => boolean | void,
  intervalMs: number,
  options: ThrottleOptions = {},
): Throttle {
  const now = options.now ?? (() => performance.now());
  const leading = options.leading ?? 'sync';
  let last = -Infinity;
  let timer: NodeJS.Timeout | null = null;
  let immediate: NodeJS.Immediate | null = null;
  const fire = () => {
    timer = null;
    immediate = null;
    const at = now();
    if (run() !== false) last = at;
  };
  return {
    request(urgent = false) {
      if (immediate) return;
      if (timer) {
        if (!urgent) return;
        clearTimeout(timer);
        timer = null;
      }
      const wait = urgent ? 0 : last + intervalMs - now();
      if (wait <= 0 && leading === 'sync') fire();
      else if (wait <= 0 && leading === 'immediate') immediate = setImmediate(fire);
      else timer = setTimeout(fire, Math.max(0, wait));
    },
    runNow() {
      const at = now();
      if (run() !== false) last = at;
    },
    cancel() {
      if (timer) clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      timer = null;
      immediate = null;
    },
  };
}
