// Input handlers for the agent panes: focus, attach, zoom and grid, restart and nudge, and bytes to an attached agent.
import type { AppStore } from './app-store.js';
import { runEffect, type AreaHandlers } from './handler-context.js';
import { runningExperimentOf } from './selectors.js';

/** Cursor keys as a terminal in normal mode sends them; an agent in application mode (DECCKM) expects ESC O x. */
const CURSOR_KEY = /^\x1b\[([ABCDHF])$/;

export function agentHandlers(store: AppStore) {
  const focusedId = () => store.getUi().focusedId;
  return {
    'focus-index': (arg) => {
      const ids = store.supervisor.agentIds();
      if (arg !== undefined && ids[arg]) store.dispatch({ type: 'focus', id: ids[arg] });
    },
    'next-agent': () => store.dispatch({ type: 'focus-offset', ids: store.supervisor.agentIds(), offset: 1 }),
    'prev-agent': () => store.dispatch({ type: 'focus-offset', ids: store.supervisor.agentIds(), offset: -1 }),
    attach: () => {
      const focused = focusedId();
      if (focused) store.dispatch({ type: 'scroll', id: focused, top: undefined });
      store.dispatch({ type: 'attach' });
    },
    detach: () => store.dispatch({ type: 'detach' }),
    zoom: () => store.dispatch({ type: 'toggle-view', view: 'zoom' }),
    grid: () => store.dispatch({ type: 'toggle-view', view: 'grid' }),
    restart: () => {
      const focused = focusedId();
      if (!focused) return;
      // Restarting throws the running experiment's progress away: ask first, naming it.
      const experiment = runningExperimentOf(store.watcher.getSnapshot(), focused);
      if (experiment)
        store.dispatch({
          type: 'overlay',
          overlay: { kind: 'confirm', action: 'restart', agent: focused, experiment },
        });
      else runEffect(store, store.supervisor.restart(focused), `restarting ${focused}`);
    },
    nudge: () => {
      const focused = focusedId();
      if (!focused) return;
      store.supervisor.nudge(focused);
      store.dispatch({ type: 'notice', text: `nudged ${focused}` });
    },
  } satisfies AreaHandlers;
}

/** A key sequence typed while attached goes to the focused agent's pty, cursor keys in the mode the agent asked for. */
export function sendToAgent(store: AppStore, sequence: string): void {
  const id = store.getUi().focusedId;
  if (!id) return;
  const terminal = store.supervisor.session(id).terminal;
  const cursor = CURSOR_KEY.exec(sequence);
  const data = cursor && terminal.modes.applicationCursorKeysMode ? `\x1bO${cursor[1]}` : sequence;
  store.expedite(id);
  store.supervisor.write(id, data);
}

/** A paste while attached goes to the agent, bracketed again if it asked for bracketed paste. */
export function pasteToAgent(store: AppStore, id: string, text: string): void {
  const session = store.supervisor.session(id);
  const bracketed = session.bracketedPaste || session.terminal.modes.bracketedPasteMode;
  store.expedite(id);
  store.supervisor.write(id, bracketed ? `\x1b[200~${text}\x1b[201~` : text);
}
