import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttleSource } from '../../src/app/throttle-source.js';

function counterSource() {
  let value = 0;
  const listeners = new Set<() => void>();
  return {
    getSnapshot: () => value,
    subscribe: (listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    change: () => {
      value++;
      listeners.forEach((listener) => listener());
    },
  };
}

describe('throttleSource (a chatty service does not redraw the screen per change)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('notifies the first change at once, then at most once per interval, and never loses the last change', () => {
    const source = counterSource();
    const throttled = throttleSource(source, 100, () => Date.now());
    const seen: number[] = [];
    throttled.subscribe(() => seen.push(throttled.getSnapshot()));
    source.change();
    expect(seen).toEqual([1]);
    for (let i = 0; i < 50; i++) source.change();
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(100);
    expect(seen).toEqual([1, 51]);
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([1, 51]);
  });

  it('stops notifying once unsubscribed, pending notification included', () => {
    const source = counterSource();
    const throttled = throttleSource(source, 100, () => Date.now());
    const listener = vi.fn();
    const unsubscribe = throttled.subscribe(listener);
    source.change();
    source.change();
    unsubscribe();
    vi.advanceTimersByTime(500);
    source.change();
    expect(listener).toHaveBeenCalledTimes(1);
  });
});
