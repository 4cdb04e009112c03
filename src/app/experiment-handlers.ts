// Input handlers for experiments on the screen: the picker, a workspace command's confirmation, selecting, cancelling.
import type { AppStore } from './app-store.js';
import { runEffect, showError, type AreaHandlers } from './handler-context.js';
import { experimentRuns } from './selectors.js';

export function experimentHandlers(store: AppStore) {
  return {
    'start-experiment': () => void openPicker(store),
    'picker-up': () => movePicker(store, -1, 0),
    'picker-down': () => movePicker(store, 1, 0),
    'picker-more-workers': () => movePicker(store, 0, 1),
    'picker-fewer-workers': () => movePicker(store, 0, -1),
    'picker-start': () => startPicked(store),
    'run-command-yes': () => runConfirmedCommand(store),
    'select-experiment': (arg) => selectRun(store, arg ?? 1),
    'cancel-experiment': () => cancelRun(store),
  } satisfies AreaHandlers;
}

async function openPicker(store: AppStore): Promise<void> {
  let names: readonly string[];
  try {
    names = [...(await store.actions.listExperiments())];
  } catch (error) {
    showError(store, error);
    return;
  }
  store.dispatch({
    type: 'overlay',
    overlay: { kind: 'picker', names, index: 0, workers: store.settings.experimentWorkers },
  });
}

/** Moves the picker's selection by `step` (wrapping) and its worker count by `workers` (1..64). */
function movePicker(store: AppStore, step: number, workers: number): void {
  const overlay = store.getUi().overlay;
  if (overlay?.kind !== 'picker') return;
  const count = Math.max(1, overlay.names.length);
  const index = (overlay.index + step + count) % count;
  store.dispatch({
    type: 'overlay',
    overlay: { ...overlay, index, workers: Math.min(64, Math.max(1, overlay.workers + workers)) },
  });
}

/** Enter in the picker: a command from the workspace is shown for confirmation first; the rest starts at once. */
function startPicked(store: AppStore): void {
  const overlay = store.getUi().overlay;
  if (overlay?.kind !== 'picker') return;
  const name = overlay.names[overlay.index];
  store.dispatch({ type: 'overlay', overlay: null });
  if (!name) return;
  try {
    const plan = store.actions.planExperiment(name);
    if (plan.kind === 'refuse') store.dispatch({ type: 'notice', text: plan.reason });
    else if (plan.kind === 'confirm')
      store.dispatch({
        type: 'overlay',
        overlay: { kind: 'run-command', name, command: plan.command, source: plan.source, workers: overlay.workers },
      });
    else startRun(store, name, overlay.workers, undefined, plan.kind === 'container');
  } catch (error) {
    showError(store, error);
  }
}

function runConfirmedCommand(store: AppStore): void {
  const overlay = store.getUi().overlay;
  if (overlay?.kind !== 'run-command') return;
  store.dispatch({ type: 'overlay', overlay: null });
  startRun(store, overlay.name, overlay.workers, overlay.command);
}

function startRun(store: AppStore, name: string, workers: number, command?: string, sandboxed = false): void {
  try {
    const id = store.runner.startBuiltin(name, { workers, command });
    store.dispatch({ type: 'select-run', id });
    // Where it runs matters to the person who chose it: a Docker workspace's experiment runs in a sandbox container.
    const where = sandboxed ? ' in a sandbox container' : '';
    store.dispatch({ type: 'notice', text: `started ${name} on ${workers} workers${where}` });
  } catch (error) {
    showError(store, error);
  }
}

function selectRun(store: AppStore, direction: number): void {
  const runs = experimentRuns(store.runner.getSnapshot(), store.watcher.getSnapshot().runs);
  if (runs.length === 0) return;
  const at = runs.findIndex((run) => run.id === store.getUi().selectedRunId);
  const next = at < 0 ? 0 : (at + direction + runs.length) % runs.length;
  store.dispatch({ type: 'select-run', id: runs[next].id });
}

function cancelRun(store: AppStore): void {
  const runs = store.runner.getSnapshot();
  // An agent's run (from its status file) belongs to that agent: cancelling it here would look like a crash to it.
  const selectedId = store.getUi().selectedRunId;
  const foreign = runs.some((run) => run.id === selectedId)
    ? undefined
    : store.watcher.getSnapshot().runs?.find((run) => run.id === selectedId);
  if (foreign) {
    store.dispatch({
      type: 'notice',
      text: `${foreign.name} was started by ${foreign.worker ?? 'another process'}; only runs started here can be cancelled`,
    });
    return;
  }
  const selected = runs.find((run) => run.id === selectedId && (run.state === 'running' || run.state === 'queued'));
  const target = selected ?? runs.find((run) => run.state === 'running' || run.state === 'queued');
  if (!target) {
    store.dispatch({ type: 'notice', text: 'no running experiment to cancel' });
    return;
  }
  runEffect(store, store.runner.cancel(target.id), `cancelling ${target.name}`);
}
