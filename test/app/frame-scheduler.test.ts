import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameScheduler } from '../../src/app/frame-scheduler.js';

describe('FrameScheduler (leading-edge throttle, visible panes only)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function make() {
    const frames: string[][] = [];
    const scheduler = new FrameScheduler({
      intervalMs: 50,
      onFrame: (dirty) => frames.push([...dirty].sort()),
      now: () => Date.now(),
    });
    return { scheduler, frames };
  }

  it('draws the first change at once (leading edge), then at most one frame per interval under continuous output', () => {
    const { scheduler, frames } = make();
    scheduler.setVisible(['W1']);
    scheduler.markDirty('W1');
    vi.advanceTimersByTime(0);
    expect(frames).toEqual([['W1']]);
    // Continuous output every 5 ms for 200 ms: a trailing debounce would never fire; this draws ~4 frames.
    for (let t = 0; t < 200; t += 5) {
      scheduler.markDirty('W1');
      vi.advanceTimersByTime(5);
    }
    expect(frames.length).toBeGreaterThanOrEqual(4);
    expect(frames.length).toBeLessThanOrEqual(6);
    scheduler.dispose();
  });

  it('never draws a hidden pane, and draws it when it becomes visible', () => {
    const { scheduler, frames } = make();
    scheduler.setVisible(['W1']);
    scheduler.markDirty('W2');
    vi.advanceTimersByTime(500);
    expect(frames).toEqual([]);
    scheduler.setVisible(['W2']);
    vi.advanceTimersByTime(0);
    expect(frames).toEqual([['W2']]);
    scheduler.dispose();
  });

  it("after a keystroke, draws the pane's next output at once instead of at the end of the interval, for one interval", () => {
    const { scheduler, frames } = make();
    scheduler.setVisible(['W1']);
    scheduler.markDirty('W1');
    vi.advanceTimersByTime(0);
    expect(frames).toHaveLength(1);
    // Streaming output right after a frame waits for the interval...
    vi.advanceTimersByTime(10);
    scheduler.markDirty('W1');
    vi.advanceTimersByTime(0);
    expect(frames).toHaveLength(1);
    // ...but the echo of a key typed into the pane does not.
    scheduler.expedite('W1');
    scheduler.markDirty('W1');
    vi.advanceTimersByTime(0);
    expect(frames).toHaveLength(2);
    // The output after that may still be the echo (the first was already on its way): drawn at once too...
    scheduler.markDirty('W1');
    vi.advanceTimersByTime(0);
    expect(frames).toHaveLength(3);
    // ...but not a third: a streaming agent must not get a frame per chunk because someone typed.
    scheduler.markDirty('W1');
    vi.advanceTimersByTime(0);
    expect(frames).toHaveLength(3);
    vi.advanceTimersByTime(50);
    expect(frames).toHaveLength(4);
    // Once the window has passed, output is throttled again.
    scheduler.expedite('W1', 20);
    vi.advanceTimersByTime(60);
    scheduler.markDirty('W1');
    vi.advanceTimersByTime(0);
    expect(frames).toHaveLength(5);
    scheduler.markDirty('W1');
    vi.advanceTimersByTime(0);
    expect(frames).toHaveLength(5);
    vi.advanceTimersByTime(50);
    expect(frames).toHaveLength(6);
    scheduler.dispose();
  });

  it('never draws a hidden pane, even right after a keystroke', () => {
    const { scheduler, frames } = make();
    scheduler.setVisible(['W1']);
    scheduler.expedite('W2');
    scheduler.markDirty('W2');
    vi.advanceTimersByTime(500);
    expect(frames).toEqual([]);
    scheduler.dispose();
  });

  it('batches several panes changed in one burst into one frame', () => {
    const { scheduler, frames } = make();
    scheduler.setVisible(['W1', 'W2', 'W3']);
    scheduler.markDirty('W2');
    scheduler.markDirty('W1');
    scheduler.markDirty('W3');
    vi.advanceTimersByTime(0);
    expect(frames).toEqual([['W1', 'W2', 'W3']]);
    scheduler.dispose();
  });
});
