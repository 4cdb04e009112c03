// Input handlers for reading an agent's scrollback: page and wheel scrolling, follow, and the search bar.
import type { AppStore } from './app-store.js';
import type { AreaHandlers } from './handler-context.js';
import { findLine } from './terminal-rows.js';
import { scrollBy } from './ui-state.js';

export function scrollSearchHandlers(store: AppStore) {
  return {
    'scroll-up': () => scrollFocused(store, -1, false),
    'scroll-down': () => scrollFocused(store, 1, false),
    follow: () => {
      const focused = store.getUi().focusedId;
      if (focused) store.dispatch({ type: 'scroll', id: focused, top: undefined });
    },
    search: () =>
      store.dispatch({ type: 'overlay', overlay: { kind: 'search', query: '', line: null, notFound: false } }),
    'search-next': () => searchNext(store),
  } satisfies AreaHandlers;
}

/** Scrolls the focused pane by `direction` lines (the wheel) or half pages (the keys). */
export function scrollFocused(store: AppStore, direction: number, lines: boolean): void {
  const id = store.getUi().focusedId;
  const box = store.getLayout()?.agents.find((candidate) => candidate.id === id);
  if (!id || !box) return;
  const buffer = store.supervisor.session(id).terminal.buffer.active;
  const step = lines ? direction : direction * Math.max(1, Math.floor(box.rows / 2));
  store.dispatch({ type: 'scroll', id, top: scrollBy(store.getUi().scrollTop[id], buffer.baseY, step) });
}

/** A key typed into the search bar that is not a binding: backspace deletes, anything else is appended. */
export function editQuery(store: AppStore, sequence: string): void {
  const overlay = store.getUi().overlay;
  if (overlay?.kind !== 'search') return;
  const query = sequence === '\x7f' || sequence === '\b' ? overlay.query.slice(0, -1) : overlay.query + sequence;
  store.dispatch({ type: 'overlay', overlay: { ...overlay, query, line: null, notFound: false } });
}

/** A paste into the search bar, its line breaks as spaces. */
export function pasteIntoQuery(store: AppStore, text: string): void {
  const overlay = store.getUi().overlay;
  if (overlay?.kind !== 'search') return;
  store.dispatch({ type: 'overlay', overlay: { ...overlay, query: overlay.query + text.replace(/[\r\n]+/g, ' ') } });
}

/** Enter in the search bar: the next match above the last one (or above the live bottom). */
function searchNext(store: AppStore): void {
  const overlay = store.getUi().overlay;
  const id = store.getUi().focusedId;
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
