// What the input handlers share: the handler type, an area's part of the table, and how an effect reports.
import type { AppStore } from './app-store.js';
import type { ActionName } from './keymap.js';

/** What a binding does; `arg` is the binding's argument (agent index, selection direction). */
export type ActionHandler = (arg: number | undefined) => void;

/** One area's handlers (agents, scrolling and search, dialogs, experiments); the controller joins them. */
export type AreaHandlers = Partial<Record<ActionName, ActionHandler>>;

/** Shows an error's sentence in the footer. */
export function showError(store: AppStore, error: unknown): void {
  store.dispatch({ type: 'notice', text: error instanceof Error ? error.message : String(error) });
}

/** Runs an effect, showing `done` at once and the error's sentence if it fails. */
export function runEffect(store: AppStore, promise: Promise<unknown>, done: string): void {
  store.dispatch({ type: 'notice', text: done });
  promise.catch((error: unknown) => showError(store, error));
}
