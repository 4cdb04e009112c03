// The screen's store: holds UI state and the services' snapshots and notifies subscribers of changes.
import type { FrameMetrics } from './frame-metrics.js';
import { FrameScheduler } from './frame-scheduler.js';
import type { AgentBox, Layout } from './layout.js';
import { PaneRows } from './pane-rows.js';
import { paintArea, paintedBox, type PanePainter } from './pane-painter.js';
import type { ExperimentRunnerPort, SupervisorPort, WorkspaceActions, WorkspaceWatcherPort } from './ports.js';
import { buildRows, type Row } from './terminal-rows.js';
import { initialUiState, reduceUi, type UiAction, type UiState } from './ui-state.js';

export interface AppSettings {
  /** Shown in the header (config name or the workspace folder). */
  name: string;
  targetScore: number;
  /** The worker count the budget (and the best's minutes) are projected to. */
  budgetWorkers?: number;
  /** Runs agents in containers, not only local processes. */
  containers?: boolean;
  /** Stopping every agent also removes the containers (`--down`). */
  down?: boolean;
  /** This screen watches only: another screen (or nobody) controls the agents. */
  readOnly?: boolean;
  /** Default worker count offered by the experiment picker. */
  experimentWorkers: number;
}

/** How the screen ends: it detaches (the agents keep working), `forced` by Ctrl-C twice; or it stops every agent. */
export interface QuitRequest {
  forced: boolean;
  stopAll?: boolean;
}

export interface AppStoreOptions {
  supervisor: SupervisorPort;
  watcher: WorkspaceWatcherPort;
  runner: ExperimentRunnerPort;
  actions: WorkspaceActions;
  settings: AppSettings;
  /** Frame interval (ms); 50 ≈ 20 fps. */
  frameIntervalMs?: number;
  /** Delay before emulators follow a layout change; a drag-resize sends many sizes. */
  resizeDebounceMs?: number;
  metrics?: FrameMetrics | null;
  /** Paints the focused pane straight onto the terminal (the real screen); without one Ink draws every pane. */
  painter?: PanePainter | null;
}

/**
 * The app's state outside React: the UI state (a pure reducer), the services' snapshots (read through
 * their own subscribe/getSnapshot), and the agent panes' rows, built by the frame scheduler only for
 * visible panes that changed. Components select from it with useSyncExternalStore.
 */
export class AppStore {
  readonly supervisor: SupervisorPort;
  readonly watcher: WorkspaceWatcherPort;
  readonly runner: ExperimentRunnerPort;
  readonly actions: WorkspaceActions;
  readonly settings: AppSettings;
  readonly panes = new PaneRows();
  private ui: UiState = initialUiState;
  private readonly uiListeners = new Set<() => void>();
  private readonly scheduler: FrameScheduler;
  private layout: Layout | null = null;
  private readonly outputSubscriptions = new Map<string, () => void>();
  private resizeTimer: NodeJS.Timeout | null = null;
  private readonly resizeDebounceMs: number;
  private quitResolve!: (value: QuitRequest) => void;
  /** Resolves when the person detaches (q, Ctrl-C twice) or confirmed stopping every agent. */
  readonly quitRequested: Promise<QuitRequest>;
  private disposed = false;
  private readonly metrics: FrameMetrics | null;
  private readonly painter: PanePainter | null;

  constructor(options: AppStoreOptions) {
    this.metrics = options.metrics ?? null;
    this.painter = options.painter ?? null;
    this.supervisor = options.supervisor;
    this.watcher = options.watcher;
    this.runner = options.runner;
    this.actions = options.actions;
    this.settings = options.settings;
    this.resizeDebounceMs = options.resizeDebounceMs ?? 120;
    this.scheduler = new FrameScheduler({
      intervalMs: options.frameIntervalMs ?? 50,
      onFrame: (dirty) => this.drawPanes(dirty),
    });
    this.quitRequested = new Promise((resolve) => (this.quitResolve = resolve));
    this.syncAgents();
  }

  getUi = (): UiState => this.ui;

  subscribeUi = (listener: () => void): (() => void) => {
    this.uiListeners.add(listener);
    return () => this.uiListeners.delete(listener);
  };

  dispatch(action: UiAction): void {
    const next = reduceUi(this.ui, action);
    if (next === this.ui) return;
    const previous = this.ui;
    this.ui = next;
    // Focus, scroll, search highlight and attach all change what a pane draws (title, cursor, rows).
    if (
      previous.focusedId !== next.focusedId ||
      previous.scrollTop !== next.scrollTop ||
      previous.overlay !== next.overlay ||
      previous.attached !== next.attached
    ) {
      for (const box of this.layout?.agents ?? []) this.scheduler.markDirty(box.id);
    }
    // Before the listeners: an overlay opening stops the painting before Ink draws it.
    this.updatePainting();
    for (const listener of this.uiListeners) listener();
  }

  /** Agents come and go only at start; keep one output subscription per agent and a valid focus. */
  syncAgents(): void {
    const ids = this.supervisor.agentIds();
    for (const id of ids) {
      if (this.outputSubscriptions.has(id)) continue;
      this.outputSubscriptions.set(
        id,
        this.supervisor.session(id).onOutput(() => this.scheduler.markDirty(id)),
      );
      this.scheduler.markDirty(id);
    }
    this.dispatch({ type: 'agents', ids });
  }

  /**
   * The screen's geometry, computed by the root component during the render Ink is drawing (set from a layout
   * effect, so before the painter repaints after that frame); decides visible panes, emulator sizes, and the
   * pane painted directly.
   */
  setLayout(layout: Layout): void {
    const previous = this.layout;
    this.layout = layout;
    this.scheduler.setVisible(layout.agents.map((box) => box.id));
    this.supervisor.showing?.(layout.agents.map((box) => box.id));
    this.updatePainting();
    const changed =
      !previous ||
      previous.agents.length !== layout.agents.length ||
      previous.agents.some(
        (box, i) =>
          box.id !== layout.agents[i].id || box.rows !== layout.agents[i].rows || box.cols !== layout.agents[i].cols,
      );
    if (!changed) return;
    for (const box of layout.agents) this.scheduler.markDirty(box.id);
    if (this.resizeTimer) clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(
      () => {
        this.resizeTimer = null;
        this.resizeEmulators();
      },
      previous ? this.resizeDebounceMs : 0,
    );
  }

  /** Whether the focused pane is painted straight onto the terminal (then Ink leaves its body blank). */
  get paintsPanes(): boolean {
    return this.painter !== null;
  }

  getLayout(): Layout | null {
    return this.layout;
  }

  /**
   * Every emulator gets the size it is drawn at, so the agent's own layout fits the pane: in split/zoom all
   * agents share the single pane's size (switching tabs needs no redraw), in the grid each its cell's.
   */
  private resizeEmulators(): void {
    const layout = this.layout;
    if (!layout || this.disposed) return;
    const single = layout.agents.length === 1 ? layout.agents[0] : undefined;
    for (const id of this.supervisor.agentIds()) {
      const box = single ?? layout.agents.find((candidate) => candidate.id === id);
      if (!box) continue;
      const terminal = this.supervisor.session(id).terminal;
      if (terminal.cols === box.cols && terminal.rows === box.rows) continue;
      try {
        this.supervisor.resize(id, box.cols, box.rows);
      } catch {
        // An agent that just exited: its pty is gone (EBADF); it gets the size on restart.
      }
      this.scheduler.markDirty(id);
    }
  }

  /** The pane the painter draws follows the layout and the overlay; a pane Ink takes over gets fresh rows. */
  private updatePainting(): void {
    if (!this.painter || this.disposed) return;
    const box = paintedBox(this.layout, this.ui.overlay);
    const previous = this.painter.painting;
    this.painter.setArea(box?.id ?? null, box && this.layout ? paintArea(this.layout, box) : null);
    if (previous === this.painter.painting) return;
    if (previous) this.scheduler.markDirty(previous);
    if (box) this.painter.paint(this.rowsOf(box));
  }

  private rowsOf(box: AgentBox): Row[] {
    const ui = this.ui;
    const terminal = this.supervisor.session(box.id).terminal;
    const top = ui.scrollTop[box.id];
    const focused = box.id === ui.focusedId;
    const search = focused && ui.overlay?.kind === 'search' ? ui.overlay.query : undefined;
    return buildRows(terminal, {
      top,
      rows: box.rows,
      cols: box.cols,
      cursor: focused && top === undefined,
      highlight: search || undefined,
    });
  }

  /** Rebuilds the rows of the given visible panes from their emulators (called by the frame scheduler). */
  private drawPanes(dirty: ReadonlySet<string>): void {
    const layout = this.layout;
    if (!layout || this.disposed) return;
    const started = performance.now();
    let painted = false;
    for (const box of layout.agents) {
      if (!dirty.has(box.id)) continue;
      const rows = this.rowsOf(box);
      if (box.id === this.painter?.painting) {
        this.painter.paint(rows);
        painted = true;
      } else {
        this.panes.set(box.id, rows);
      }
    }
    this.metrics?.rows(started, performance.now() - started);
    if (painted) this.metrics?.painted();
  }

  /** Keys were sent to the agent in pane `id`: draw its next output at once (its echo), not at the next tick. */
  expedite(id: string): void {
    this.scheduler.expedite(id);
  }

  /** Marks a pane for redraw (after the UI changed what it shows). */
  invalidate(id: string): void {
    this.scheduler.markDirty(id);
  }

  requestQuit(request: QuitRequest): void {
    this.quitResolve(request);
  }

  dispose(): void {
    this.painter?.setArea(null, null);
    this.disposed = true;
    this.scheduler.dispose();
    if (this.resizeTimer) clearTimeout(this.resizeTimer);
    for (const unsubscribe of this.outputSubscriptions.values()) unsubscribe();
    this.outputSubscriptions.clear();
  }
}
