// Input handlers for stopping, resuming and leaving: the confirm dialog, help, and Ctrl-C twice to detach.
import type { AppStore } from './app-store.js';
import { runEffect, type AreaHandlers } from './handler-context.js';
import { INTERRUPT_WINDOW_MS } from './ui-state.js';

export function dialogHandlers(store: AppStore, now: () => number) {
  return {
    help: () => store.dispatch({ type: 'overlay', overlay: { kind: 'help' } }),
    close: () => store.dispatch({ type: 'overlay', overlay: null }),
    stop: () => store.dispatch({ type: 'overlay', overlay: { kind: 'confirm', action: 'stop' } }),
    'force-stop': () => store.dispatch({ type: 'overlay', overlay: { kind: 'confirm', action: 'force-stop' } }),
    'leave-screen': () => store.requestQuit({ forced: false }),
    'stop-all': () => store.dispatch({ type: 'overlay', overlay: { kind: 'confirm', action: 'stop-all' } }),
    resume: () => runEffect(store, store.supervisor.resume(), 'STOP cleared — agents resume'),
    'confirm-yes': () => confirm(store),
    'confirm-no': () => store.dispatch({ type: 'overlay', overlay: null }),
    interrupt: () => {
      const at = now();
      const previous = store.getUi().interruptAt;
      if (previous !== undefined && at - previous <= INTERRUPT_WINDOW_MS) store.requestQuit({ forced: true });
      else store.dispatch({ type: 'interrupt', at });
    },
  } satisfies AreaHandlers;
}

/** Yes in the confirm dialog: does what it asked about. */
function confirm(store: AppStore): void {
  const overlay = store.getUi().overlay;
  store.dispatch({ type: 'overlay', overlay: null });
  if (overlay?.kind !== 'confirm') return;
  if (overlay.action === 'stop-all') store.requestQuit({ forced: false, stopAll: true });
  else if (overlay.action === 'restart') {
    if (overlay.agent) runEffect(store, store.supervisor.restart(overlay.agent), `restarting ${overlay.agent}`);
  } else if (overlay.action === 'stop') {
    runEffect(store, store.supervisor.stopGraceful(), 'STOP written — agents finish their current experiment');
  } else {
    runEffect(store, store.supervisor.stopForced(), 'stopping every agent');
  }
}
