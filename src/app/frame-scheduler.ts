// Decides when each visible agent pane is redrawn.
import { leadingThrottle, type Throttle } from '../../core/throttle.js';

/**
 * Decides when agent panes are redrawn. Output marks a pane dirty; a frame is drawn on the leading edge
 * (at once when the last frame is older than the interval, otherwise at the end of the interval), and only
 * for panes that are visible. A trailing debounce that restarts on every chunk never fires under continuous
 * output (measured, ARCHITECTURE.md), hence the leading-edge throttle. Hidden panes stay dirty and are drawn
 * the moment they become visible.
 */
export interface FrameSchedulerOptions {
  /** Minimum time between frames; 50 ms ≈ 20 fps, smooth enough to read streaming output at a bounded CPU cost. */
  intervalMs?: number;
  onFrame: (dirty: ReadonlySet<string>) => void;
  now?: () => number;
}

export class FrameScheduler {
  private readonly intervalMs: number;
  private readonly onFrame: (dirty: ReadonlySet<string>) => void;
  private readonly now: () => number;
  private readonly dirty = new Set<string>();
  /** Pane id → until when, and for how many more frames, its output is drawn as it arrives (the user typed). */
  private readonly expedited = new Map<string, { until: number; frames: number }>();
  private visible = new Set<string>();
  /** setImmediate rather than a synchronous frame on the leading edge: the chunks of one read burst land in one frame. */
  private readonly frames: Throttle;
  private disposed = false;

  constructor(options: FrameSchedulerOptions) {
    this.intervalMs = options.intervalMs ?? 50;
    this.onFrame = options.onFrame;
    this.now = options.now ?? (() => performance.now());
    this.frames = leadingThrottle(() => this.flush(), this.intervalMs, { leading: 'immediate', now: this.now });
  }

  /** Marks a pane as changed. Cheap: called for every chunk of output. */
  markDirty(id: string): void {
    if (this.disposed) return;
    this.dirty.add(id);
    if (!this.visible.has(id)) return;
    const expedite = this.expedited.get(id);
    if (expedite && this.now() > expedite.until) this.expedited.delete(id);
    this.schedule(this.expedited.has(id));
  }

  /**
   * The user typed into pane `id`: its output during the next `windowMs` (default: one interval) is drawn as it
   * arrives instead of at the end of the interval, so the echo of a keystroke is not held back by the throttle
   * (the aim: keystroke→echo p95 ≤ 50 ms while attached, with 20 fps panes). At most two such frames: the first
   * output after a key may be output already on its way, the echo is then the next; an open-ended window drew
   * every chunk of a streaming agent (3.2 frames per key in bench:tui, +50 % frames while typing).
   */
  expedite(id: string, windowMs = this.intervalMs): void {
    if (this.disposed) return;
    this.expedited.set(id, { until: this.now() + windowMs, frames: 2 });
  }

  /** Which panes are on screen; newly visible dirty panes are drawn at once. */
  setVisible(ids: Iterable<string>): void {
    this.visible = new Set(ids);
    for (const id of this.dirty) {
      if (this.visible.has(id)) {
        this.schedule();
        return;
      }
    }
  }

  isVisible(id: string): boolean {
    return this.visible.has(id);
  }

  dispose(): void {
    this.disposed = true;
    this.frames.cancel();
  }

  private schedule(now = false): void {
    if (!this.disposed) this.frames.request(now);
  }

  /** Draws the visible dirty panes; false when there was none (no frame drawn, so no frame to space the next from). */
  private flush(): boolean {
    if (this.disposed) return false;
    const frame = new Set<string>();
    for (const id of this.dirty) {
      if (this.visible.has(id)) frame.add(id);
    }
    if (frame.size === 0) return false;
    for (const id of frame) {
      this.dirty.delete(id);
      const expedite = this.expedited.get(id);
      if (expedite && --expedite.frames === 0) this.expedited.delete(id);
    }
    this.onFrame(frame);
    return true;
  }
}
