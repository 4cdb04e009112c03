// A screen's copy of one agent's emulator, rebuilt from the service's serialised state and kept current.
import xterm from '@xterm/headless';
// Not the supervisor's index: that loads the Docker client and the rest of the supervisor, which a screen never runs
// (the screen's first frame waited for those modules to load).
import { SCROLLBACK_LINES, type Terminal } from '../supervisor/agent-session.js';

/**
 * What the app draws for one agent when the agents run in the service: a headless emulator fed the same bytes as
 * the service's, while the screen shows it. The scrollback arrives after the screen (the first frame needs only the
 * screen); each state is parsed into a fresh emulator that replaces the shown one once complete, so no frame shows
 * it half-parsed.
 */
export class PaneMirror {
  /** The emulator the screen draws. */
  terminal: Terminal;
  /** The emulator that receives writes: the shown one, or the one being rebuilt with the scrollback. */
  private target: Terminal;
  private readonly listeners = new Set<() => void>();

  constructor(cols: number, rows: number) {
    this.terminal = newTerminal(cols, rows);
    this.target = this.terminal;
  }

  get bracketedPaste(): boolean {
    return this.terminal.modes.bracketedPasteMode;
  }

  onOutput(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The service's state for this pane — the screen only (first), or with its scrollback — parsed into a fresh
   * emulator that replaces the shown one once complete (a pane shown again after a while gets both anew).
   */
  restore(state: string, cols: number, rows: number): void {
    const next = newTerminal(cols, rows);
    this.target = next;
    next.write(state, () => {
      if (next !== this.terminal) {
        this.terminal.dispose();
        this.terminal = next;
      }
      this.notify();
    });
  }

  /** What was written to the service's emulator since its state was taken. */
  write(data: string | Uint8Array): void {
    const target = this.target;
    target.write(data, () => {
      if (target === this.terminal) this.notify();
    });
  }

  resize(cols: number, rows: number): void {
    if (cols < 1 || rows < 1) return;
    for (const terminal of new Set([this.terminal, this.target])) terminal.resize(cols, rows);
  }

  dispose(): void {
    this.listeners.clear();
    for (const terminal of new Set([this.terminal, this.target])) terminal.dispose();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

function newTerminal(cols: number, rows: number): Terminal {
  return new xterm.Terminal({ cols, rows, scrollback: SCROLLBACK_LINES, allowProposedApi: true });
}
