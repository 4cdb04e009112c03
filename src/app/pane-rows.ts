// The latest drawn rows of each agent pane, subscribable per pane.
import type { Row } from './terminal-rows.js';

const EMPTY: readonly Row[] = Object.freeze([]);

/**
 * The latest built rows of each agent pane, with one listener set per pane, so a frame of W2's output
 * re-renders W2's pane and nothing else (useSyncExternalStore per pane).
 */
export class PaneRows {
  private readonly rows = new Map<string, readonly Row[]>();
  private readonly listeners = new Map<string, Set<() => void>>();

  get = (id: string): readonly Row[] => this.rows.get(id) ?? EMPTY;

  set(id: string, rows: readonly Row[]): void {
    const previous = this.rows.get(id);
    // Skip the notification when no row changed (a cursor blink-free repaint of identical content).
    if (previous && previous.length === rows.length && previous.every((row, i) => row.key === rows[i].key)) return;
    this.rows.set(id, rows);
    for (const listener of this.listeners.get(id) ?? []) listener();
  }

  subscribe(id: string, listener: () => void): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }
}
