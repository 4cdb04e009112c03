import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { leadingThrottle } from '../../core/throttle.js';

describe('leading-edge throttle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs the first request at once, merges the ones within the interval into one run at its end', () => {
    const runs: number[] = [];
    const throttle = leadingThrottle(() => void runs.push(Date.now()), 100, { now: Date.now });
    const start = Date.now();
    throttle.request();
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(10);
      throttle.request();
    }
    expect(runs.map((at) => at - start)).toEqual([0]);
    vi.advanceTimersByTime(100);
    expect(runs.map((at) => at - start)).toEqual([0, 100]);
  });

  it('keeps running under a steady stream of requests (a restarting debounce would not)', () => {
    let runs = 0;
    const throttle = leadingThrottle(() => void runs++, 50, { now: Date.now, leading: 'timer' });
    for (let i = 0; i < 100; i++) {
      throttle.request();
      vi.advanceTimersByTime(5);
    }
    expect(runs).toBeGreaterThanOrEqual(9);
  });

  it('an urgent request skips the wait; a run that found nothing to do does not count; cancel drops a pending run', () => {
    const done: string[] = [];
    let work = false;
    const throttle = leadingThrottle(() => (work ? void done.push('ran') : false), 100, { now: Date.now });
    throttle.request(); // nothing to do: not a run, so the next request is not held back
    work = true;
    throttle.request();
    expect(done).toEqual(['ran']);
    throttle.request();
    throttle.request(true);
    expect(done).toEqual(['ran', 'ran']);
    throttle.request();
    throttle.cancel();
    vi.advanceTimersByTime(500);
    expect(done).toEqual(['ran', 'ran']);
  });
});
