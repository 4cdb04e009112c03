// Routes keys and mouse input to actions through the keymap: focus, scrolling, dialogs and agent input.
import type { AppStore } from './app-store.js';
import { CTRL_RIGHT_BRACKET, lookupKey, type ActionName } from './keymap.js';
import { experimentRuns, runningExperimentOf } from './selectors.js';
import { findLine } from './terminal-rows.js';
import { INTERRUPT_WINDOW_MS, inputMode, scrollBy, type ConfirmAction, type Overlay } from './ui-state.js';

/** SGR mouse report (we enable ?1000h + ?1006h): button 64 = wheel up, 65 = wheel down. */
const WHEEL = /^\x1b\[<(\d+);\d+;\d+[Mm]$/;
/** Cursor keys as a terminal in normal mode sends them; an agent in application mode (DECCKM) expects ESC O x. */
const CURSOR_KEY = /^\x1b\[([ABCDHF])$/;

export const CONFIRM_TEXT: Record<Exclude<ConfirmAction, 'restart' | 'quit'>, { title: string; message: string }> = {
  stop: { title: 'Graceful stop', message: 'Write STOP: agents finish their current experiment, then stop. Continue?' },
  'force-stop': { title: 'Forced stop', message: 'Stop every agent now (running experiments are lost). Continue?' },
};

/** Quitting says what happens to this workspace's agents: local processes stop; containers keep running unless --down. */
function quitText(settings: { containers?: boolean; down?: boolean }): { title: string; message: string } {
  return {
    title: 'Quit ralph-tui',
    message: !settings.containers
      ? 'Quit? The agents run as processes of this screen and stop with it; the queue, log and results stay in the workspace.'
      : settings.down
        ? 'Quit? The agent containers are stopped and removed (--down); local agents stop too.'
        : 'Quit the screen? Agent containers keep running (reattached next time; start with --down to remove them); local agents stop.',
  };
}

/** The confirm dialog's words; a restart names the agent and the experiment it would interrupt. */
export function confirmText(
  overlay: Extract<Overlay, { kind: 'confirm' }>,
  settings: { containers?: boolean; down?: boolean } = {},
): { title: string; message: string } {
  if (overlay.action === 'quit') return quitText(settings);
  if (overlay.action !== 'restart') return CONFIRM_TEXT[overlay.action];
  return {
    title: `Restart ${overlay.agent ?? 'the agent'}`,
    message: `${overlay.agent} is running ${overlay.experiment}: a restart stops it (the run's progress is lost; the claim resumes after the restart). Continue?`,
  };
}

/** What a binding does; `arg` is the binding's argument (agent index, selection direction). */
type ActionHandler = (arg: number | undefined) => void;

/**
 * Routes every key sequence: while attached, raw bytes go to the agent's pty (Ctrl-C included) and only
 * Ctrl-] is ours; otherwise the keymap decides. Effects call the services; state changes go through the
 * store's reducer.
 */
export class InputController {
  constructor(
    private readonly store: AppStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** One handler per action of the keymap: the compiler refuses an action without one. */
  private readonly handlers = {
    'focus-index': (arg) => {
      const ids = this.store.supervisor.agentIds();
      if (arg !== undefined && ids[arg]) this.store.dispatch({ type: 'focus', id: ids[arg] });
    },
    'next-agent': () => this.store.dispatch({ type: 'focus-offset', ids: this.store.supervisor.agentIds(), offset: 1 }),
    'prev-agent': () =>
      this.store.dispatch({ type: 'focus-offset', ids: this.store.supervisor.agentIds(), offset: -1 }),
    attach: () => {
      const focused = this.focusedId();
      if (focused) this.store.dispatch({ type: 'scroll', id: focused, top: undefined });
      this.store.dispatch({ type: 'attach' });
    },
    detach: () => this.store.dispatch({ type: 'detach' }),
    zoom: () => this.store.dispatch({ type: 'toggle-view', view: 'zoom' }),
    grid: () => this.store.dispatch({ type: 'toggle-view', view: 'grid' }),
    'scroll-up': () => this.scroll(-1, false),
    'scroll-down': () => this.scroll(1, false),
    follow: () => {
      const focused = this.focusedId();
      if (focused) this.store.dispatch({ type: 'scroll', id: focused, top: undefined });
    },
    search: () =>
      this.store.dispatch({ type: 'overlay', overlay: { kind: 'search', query: '', line: null, notFound: false } }),
    'search-next': () => this.searchNext(),
    help: () => this.store.dispatch({ type: 'overlay', overlay: { kind: 'help' } }),
    close: () => this.store.dispatch({ type: 'overlay', overlay: null }),
    'start-experiment': () => void this.openPicker(),
    'picker-up': () => this.movePicker(-1, 0),
    'picker-down': () => this.movePicker(1, 0),
    'picker-more-workers': () => this.movePicker(0, 1),
    'picker-fewer-workers': () => this.movePicker(0, -1),
    'picker-start': () => this.startPicked(),
    'select-experiment': (arg) => this.selectRun(arg ?? 1),
    'cancel-experiment': () => this.cancelRun(),
    restart: () => {
      const focused = this.focusedId();
      if (!focused) return;
      // Restarting throws the running experiment's progress away: ask first, naming it.
      const experiment = runningExperimentOf(this.store.watcher.getSnapshot(), focused);
      if (experiment)
        this.store.dispatch({
          type: 'overlay',
          overlay: { kind: 'confirm', action: 'restart', agent: focused, experiment },
        });
      else this.effect(this.store.supervisor.restart(focused), `restarting ${focused}`);
    },
    nudge: () => {
      const focused = this.focusedId();
      if (!focused) return;
      this.store.supervisor.nudge(focused);
      this.store.dispatch({ type: 'notice', text: `nudged ${focused}` });
    },
    stop: () => this.store.dispatch({ type: 'overlay', overlay: { kind: 'confirm', action: 'stop' } }),
    'force-stop': () => this.store.dispatch({ type: 'overlay', overlay: { kind: 'confirm', action: 'force-stop' } }),
    quit: () => this.store.dispatch({ type: 'overlay', overlay: { kind: 'confirm', action: 'quit' } }),
    resume: () => this.effect(this.store.supervisor.resume(), 'STOP cleared — agents resume'),
    'confirm-yes': () => this.confirm(),
    'confirm-no': () => this.store.dispatch({ type: 'overlay', overlay: null }),
    'run-command-yes': () => this.runConfirmedCommand(),
    interrupt: () => {
      const at = this.now();
      const previous = this.store.getUi().interruptAt;
      if (previous !== undefined && at - previous <= INTERRUPT_WINDOW_MS) this.store.requestQuit(true);
      else this.store.dispatch({ type: 'interrupt', at });
    },
  } satisfies Record<ActionName, ActionHandler>;

  handleInput(sequence: string): void {
    const wheel = WHEEL.exec(sequence);
    if (wheel) {
      const button = Number(wheel[1]);
      if (button === 64 || button === 65) this.scroll(button === 64 ? -3 : 3, true);
      return;
    }
    const ui = this.store.getUi();
    if (ui.attached) {
      if (sequence === CTRL_RIGHT_BRACKET) this.store.dispatch({ type: 'detach' });
      else this.sendToAgent(sequence);
      return;
    }
    if (sequence.length > 1 && !sequence.startsWith('\x1b')) {
      // Keys typed faster than stdin is read arrive as one chunk ("gq"); each is a hotkey of its own.
      for (const key of sequence) this.handleInput(key);
      return;
    }
    const mode = inputMode(ui);
    const match = lookupKey(sequence, mode);
    if (mode === 'search' && !match) {
      this.editQuery(sequence);
      return;
    }
    if (!match) return;
    if (match.action !== 'interrupt' && ui.notice) this.store.dispatch({ type: 'notice', text: undefined });
    this.handlers[match.action](match.arg);
  }

  /** A bracketed paste: to the attached agent (bracketed again if it asked for it), or into the search query. */
  handlePaste(text: string): void {
    const ui = this.store.getUi();
    if (ui.attached && ui.focusedId) {
      const session = this.store.supervisor.session(ui.focusedId);
      const bracketed = session.bracketedPaste || session.terminal.modes.bracketedPasteMode;
      this.store.expedite(ui.focusedId);
      this.store.supervisor.write(ui.focusedId, bracketed ? `\x1b[200~${text}\x1b[201~` : text);
    } else if (ui.overlay?.kind === 'search') {
      this.store.dispatch({
        type: 'overlay',
        overlay: { ...ui.overlay, query: ui.overlay.query + text.replace(/[\r\n]+/g, ' ') },
      });
    }
  }

  private sendToAgent(sequence: string): void {
    const id = this.store.getUi().focusedId;
    if (!id) return;
    const terminal = this.store.supervisor.session(id).terminal;
    const cursor = CURSOR_KEY.exec(sequence);
    const data = cursor && terminal.modes.applicationCursorKeysMode ? `\x1bO${cursor[1]}` : sequence;
    this.store.expedite(id);
    this.store.supervisor.write(id, data);
  }

  private focusedId(): string | undefined {
    return this.store.getUi().focusedId;
  }

  private confirm(): void {
    const store = this.store;
    const overlay = store.getUi().overlay;
    store.dispatch({ type: 'overlay', overlay: null });
    if (overlay?.kind !== 'confirm') return;
    if (overlay.action === 'quit') store.requestQuit(false);
    else if (overlay.action === 'restart') {
      if (overlay.agent) this.effect(store.supervisor.restart(overlay.agent), `restarting ${overlay.agent}`);
    } else if (overlay.action === 'stop') {
      this.effect(store.supervisor.stopGraceful(), 'STOP written — agents finish their current experiment');
    } else {
      this.effect(store.supervisor.stopForced(), 'stopping every agent');
    }
  }

  /** Runs an effect, showing `done` at once and the error's sentence if it fails. */
  private effect(promise: Promise<unknown>, done: string): void {
    this.store.dispatch({ type: 'notice', text: done });
    promise.catch((error: unknown) =>
      this.store.dispatch({ type: 'notice', text: error instanceof Error ? error.message : String(error) }),
    );
  }

  private scroll(direction: number, lines: boolean): void {
    const store = this.store;
    const id = this.focusedId();
    const box = store.getLayout()?.agents.find((candidate) => candidate.id === id);
    if (!id || !box) return;
    const buffer = store.supervisor.session(id).terminal.buffer.active;
    const step = lines ? direction : direction * Math.max(1, Math.floor(box.rows / 2));
    store.dispatch({ type: 'scroll', id, top: scrollBy(store.getUi().scrollTop[id], buffer.baseY, step) });
  }

  private editQuery(sequence: string): void {
    const overlay = this.store.getUi().overlay;
    if (overlay?.kind !== 'search') return;
    const query = sequence === '\x7f' || sequence === '\b' ? overlay.query.slice(0, -1) : overlay.query + sequence;
    this.store.dispatch({ type: 'overlay', overlay: { ...overlay, query, line: null, notFound: false } });
  }

  /** Enter in the search bar: the next match above the last one (or above the live bottom). */
  private searchNext(): void {
    const store = this.store;
    const overlay = store.getUi().overlay;
    const id = this.focusedId();
    if (overlay?.kind !== 'search' || !id) return;
    const terminal = store.supervisor.session(id).terminal;
    const buffer = terminal.buffer.active;
    const from = overlay.line !== null ? overlay.line - 1 : buffer.length - 1;
    const line = findLine(terminal, overlay.query, from);
    if (line < 0) {
      store.dispatch({ type: 'overlay', overlay: { ...overlay, notFound: true } });
      return;
    }
    const rows = store.getLayout()?.agents.find((box) => box.id === id)?.rows ?? terminal.rows;
    const top = Math.max(0, line - Math.floor(rows / 2));
    store.dispatch({ type: 'overlay', overlay: { ...overlay, line, notFound: false } });
    store.dispatch({ type: 'scroll', id, top: top >= buffer.baseY ? undefined : top });
  }

  private async openPicker(): Promise<void> {
    let names: readonly string[];
    try {
      names = [...(await this.store.actions.listExperiments())];
    } catch (error) {
      this.store.dispatch({ type: 'notice', text: error instanceof Error ? error.message : String(error) });
      return;
    }
    this.store.dispatch({
      type: 'overlay',
      overlay: { kind: 'picker', names, index: 0, workers: this.store.settings.experimentWorkers },
    });
  }

  /** Moves the picker's selection by `step` (wrapping) and its worker count by `workers` (1..64). */
  private movePicker(step: number, workers: number): void {
    const overlay = this.store.getUi().overlay;
    if (overlay?.kind !== 'picker') return;
    const count = Math.max(1, overlay.names.length);
    const index = (overlay.index + step + count) % count;
    this.store.dispatch({
      type: 'overlay',
      overlay: { ...overlay, index, workers: Math.min(64, Math.max(1, overlay.workers + workers)) },
    });
  }

  /** Enter in the picker: a command from the workspace is shown for confirmation first; the rest starts at once. */
  private startPicked(): void {
    const overlay = this.store.getUi().overlay;
    if (overlay?.kind !== 'picker') return;
    const name = overlay.names[overlay.index];
    this.store.dispatch({ type: 'overlay', overlay: null });
    if (!name) return;
    try {
      const plan = this.store.actions.planExperiment(name);
      if (plan.kind === 'refuse') this.store.dispatch({ type: 'notice', text: plan.reason });
      else if (plan.kind === 'confirm')
        this.store.dispatch({
          type: 'overlay',
          overlay: { kind: 'run-command', name, command: plan.command, source: plan.source, workers: overlay.workers },
        });
      else this.startRun(name, overlay.workers);
    } catch (error) {
      this.store.dispatch({ type: 'notice', text: error instanceof Error ? error.message : String(error) });
    }
  }

  private runConfirmedCommand(): void {
    const overlay = this.store.getUi().overlay;
    if (overlay?.kind !== 'run-command') return;
    this.store.dispatch({ type: 'overlay', overlay: null });
    this.startRun(overlay.name, overlay.workers, overlay.command);
  }

  private startRun(name: string, workers: number, command?: string): void {
    try {
      const id = this.store.runner.startBuiltin(name, { workers, command });
      this.store.dispatch({ type: 'select-run', id });
      this.store.dispatch({ type: 'notice', text: `started ${name} on ${workers} workers` });
    } catch (error) {
      this.store.dispatch({ type: 'notice', text: error instanceof Error ? error.message : String(error) });
    }
  }

  private selectRun(direction: number): void {
    const runs = experimentRuns(this.store.runner.getSnapshot(), this.store.watcher.getSnapshot().runs);
    if (runs.length === 0) return;
    const at = runs.findIndex((run) => run.id === this.store.getUi().selectedRunId);
    const next = at < 0 ? 0 : (at + direction + runs.length) % runs.length;
    this.store.dispatch({ type: 'select-run', id: runs[next].id });
  }

  private cancelRun(): void {
    const runs = this.store.runner.getSnapshot();
    // An agent's run (from its status file) belongs to that agent: cancelling it here would look like a crash to it.
    const selectedId = this.store.getUi().selectedRunId;
    const foreign = runs.some((run) => run.id === selectedId)
      ? undefined
      : this.store.watcher.getSnapshot().runs?.find((run) => run.id === selectedId);
    if (foreign) {
      this.store.dispatch({
        type: 'notice',
        text: `${foreign.name} was started by ${foreign.worker ?? 'another process'}; only runs started here can be cancelled`,
      });
      return;
    }
    const selected = runs.find(
      (run) => run.id === this.store.getUi().selectedRunId && (run.state === 'running' || run.state === 'queued'),
    );
    const target = selected ?? runs.find((run) => run.state === 'running' || run.state === 'queued');
    if (!target) {
      this.store.dispatch({ type: 'notice', text: 'no running experiment to cancel' });
      return;
    }
    this.effect(this.store.runner.cancel(target.id), `cancelling ${target.name}`);
  }
}
