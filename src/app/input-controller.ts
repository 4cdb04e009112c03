// Routes keys, pastes and mouse wheel input to the handler of each action; the handlers live in one module per area.
import { agentHandlers, pasteToAgent, sendToAgent } from './agent-handlers.js';
import type { AppStore } from './app-store.js';
import { dialogHandlers } from './dialog-handlers.js';
import { experimentHandlers } from './experiment-handlers.js';
import type { ActionHandler } from './handler-context.js';
import { CTRL_RIGHT_BRACKET, lookupKey, type ActionName } from './keymap.js';
import { editQuery, pasteIntoQuery, scrollFocused, scrollSearchHandlers } from './scroll-search-handlers.js';
import { inputMode } from './ui-state.js';

/** What a read-only screen may not do: everything that changes an agent, a run or the service. */
const CHANGES_SOMETHING = new Set<ActionName>([
  'attach',
  'start-experiment',
  'cancel-experiment',
  'restart',
  'nudge',
  'stop',
  'force-stop',
  'resume',
  'stop-all',
]);

/** SGR mouse report (we enable ?1000h + ?1006h): button 64 = wheel up, 65 = wheel down. */
const WHEEL = /^\x1b\[<(\d+);\d+;\d+[Mm]$/;

/**
 * Routes every key sequence: while attached, raw bytes go to the agent's pty (Ctrl-C included) and only
 * Ctrl-] is ours; otherwise the keymap decides. Effects call the services; state changes go through the
 * store's reducer.
 */
export class InputController {
  /** One handler per action of the keymap: the compiler refuses an action without one. */
  private readonly handlers: Record<ActionName, ActionHandler>;

  constructor(
    private readonly store: AppStore,
    now: () => number = Date.now,
  ) {
    this.handlers = {
      ...agentHandlers(store),
      ...scrollSearchHandlers(store),
      ...dialogHandlers(store, now),
      ...experimentHandlers(store),
    } satisfies Record<ActionName, ActionHandler>;
  }

  handleInput(sequence: string): void {
    const wheel = WHEEL.exec(sequence);
    if (wheel) {
      const button = Number(wheel[1]);
      if (button === 64 || button === 65) scrollFocused(this.store, button === 64 ? -3 : 3, true);
      return;
    }
    const ui = this.store.getUi();
    if (ui.attached) {
      if (sequence === CTRL_RIGHT_BRACKET) this.store.dispatch({ type: 'detach' });
      else sendToAgent(this.store, sequence);
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
      editQuery(this.store, sequence);
      return;
    }
    if (!match) return;
    if (this.store.settings.readOnly && CHANGES_SOMETHING.has(match.action)) {
      this.store.dispatch({
        type: 'notice',
        text: 'read-only screen: only watching (the screen in control can do that)',
      });
      return;
    }
    if (match.action !== 'interrupt' && ui.notice) this.store.dispatch({ type: 'notice', text: undefined });
    this.handlers[match.action](match.arg);
  }

  /** A bracketed paste: to the attached agent (bracketed again if it asked for it), or into the search query. */
  handlePaste(text: string): void {
    const ui = this.store.getUi();
    if (ui.attached && ui.focusedId) pasteToAgent(this.store, ui.focusedId, text);
    else pasteIntoQuery(this.store, text);
  }
}
