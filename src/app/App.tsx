// The root Ink component: subscribes to the store and services and draws the screen.
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useWindowSize } from 'ink';
import type { AppStore } from './app-store.js';
import type { ExternalSource } from './ports.js';
import type { InputController } from './input-controller.js';
import { confirmText } from './confirm-text.js';
import { bindingsFor, footerHints } from './keymap.js';
import { computeLayout, type AgentBox } from './layout.js';
import { paintedBox } from './pane-painter.js';
import { agentProblem, agentTabs, experimentRuns, latestFileError, queueCounts, workerRows } from './selectors.js';
import { throttleSource } from './throttle-source.js';
import { inputMode } from './ui-state.js';
import { useTerminalKeys } from './use-terminal-keys.js';
import { AgentPane } from '../../components/AgentPane.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { ExperimentPicker } from '../../components/ExperimentPicker.js';
import { HelpOverlay } from '../../components/HelpOverlay.js';
import { Screen } from '../../components/Screen.js';

interface ConnectedPaneProps {
  store: AppStore;
  box: AgentBox;
  subtitle: string;
  focused: boolean;
  attached: boolean;
  scrolled: boolean;
  separator: boolean;
  painted: boolean;
}

/** One agent pane subscribed to its own rows: a busy agent re-renders only this. */
const ConnectedAgentPane = memo(function ConnectedAgentPane({ store, box, ...rest }: ConnectedPaneProps) {
  const subscribe = useCallback((listener: () => void) => store.panes.subscribe(box.id, listener), [store, box.id]);
  const getRows = useCallback(() => store.panes.get(box.id), [store, box.id]);
  const rows = useSyncExternalStore(subscribe, getRows);
  return <AgentPane id={box.id} rows={rows} width={box.width} height={box.height} {...rest} />;
});

function useClock(): { clock: string; now: number } {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return { clock: new Date(now).toTimeString().slice(0, 8), now };
}

function bind<T>(source: ExternalSource<T>): { subscribe: (listener: () => void) => () => void; getSnapshot: () => T } {
  return { subscribe: (listener) => source.subscribe(listener), getSnapshot: () => source.getSnapshot() };
}

/** Services' changes redraw the screen at most 10 times a second (agent panes have their own frame scheduler). */
const SERVICE_REDRAW_MS = 100;

function bindSources(store: AppStore) {
  const throttled = <T,>(source: ExternalSource<T>) => bind(throttleSource(source, SERVICE_REDRAW_MS));
  return {
    supervisor: throttled(store.supervisor),
    watcher: throttled(store.watcher),
    runner: throttled(store.runner),
  };
}

/** The connected root: selects snapshots from the store and the services, draws the Screen. */
export function App({ store, controller }: { store: AppStore; controller: InputController }) {
  const ui = useSyncExternalStore(store.subscribeUi, store.getUi);
  // Bound once per store: a new subscribe function on every render would resubscribe on every render.
  const sources = useMemo(() => bindSources(store), [store]);
  const sup = useSyncExternalStore(sources.supervisor.subscribe, sources.supervisor.getSnapshot);
  const ws = useSyncExternalStore(sources.watcher.subscribe, sources.watcher.getSnapshot);
  const ownRuns = useSyncExternalStore(sources.runner.subscribe, sources.runner.getSnapshot);
  const runs = useMemo(() => experimentRuns(ownRuns, ws.runs), [ownRuns, ws.runs]);
  const { columns, rows } = useWindowSize();
  const { clock, now } = useClock();
  const onInput = useCallback((sequence: string) => controller.handleInput(sequence), [controller]);
  const onPaste = useCallback((text: string) => controller.handlePaste(text), [controller]);
  useTerminalKeys(onInput, onPaste);

  const ids = sup.agents.map((agent) => agent.id);
  const idsKey = ids.join(',');
  // An agent that cannot go on matters more than a file the panes show the last good view of.
  const error = agentProblem(sup) ?? latestFileError(ws);
  const searching = ui.overlay?.kind === 'search';
  const footerLines = (error ? 2 : 1) + (searching ? 1 : 0);
  const layout = useMemo(
    () =>
      computeLayout({
        cols: columns,
        rows,
        view: ui.view,
        agentIds: idsKey ? idsKey.split(',') : [],
        focusedId: ui.focusedId,
        footerLines,
      }),
    [columns, rows, ui.view, idsKey, ui.focusedId, footerLines],
  );
  // A layout effect: the painter repaints after the frame Ink is writing, and must know this layout by then.
  useLayoutEffect(() => store.setLayout(layout), [store, layout]);

  const tabs = agentTabs(sup, ws);
  const mode = inputMode(ui);
  const target = ws.coordination?.target ?? store.settings.targetScore;
  const overlay = ui.overlay;
  const paintedId = store.paintsPanes ? paintedBox(layout, overlay)?.id : undefined;
  const renderOverlay =
    overlay?.kind === 'help'
      ? (width: number, height: number) => (
          <HelpOverlay bindings={bindingsFor('normal')} width={width} height={height} />
        )
      : overlay?.kind === 'confirm'
        ? (width: number, height: number) => (
            <ConfirmDialog {...confirmText(overlay, store.settings)} width={width} height={height} />
          )
        : overlay?.kind === 'run-command'
          ? (width: number, height: number) => (
              <ConfirmDialog
                title={`Run a command from ${overlay.source}?`}
                message={`Experiment ${overlay.name} runs this on this machine, outside any container, with your permissions:`}
                command={overlay.command}
                width={width}
                height={height}
              />
            )
          : overlay?.kind === 'picker'
            ? (width: number, height: number) => (
                <ExperimentPicker
                  names={overlay.names}
                  index={overlay.index}
                  workers={overlay.workers}
                  width={width}
                  height={height}
                />
              )
            : undefined;

  return (
    <Screen
      layout={layout}
      header={{
        // A watching screen says so where the eye starts: its keys that change something are refused.
        name: store.settings.readOnly ? `${store.settings.name} · read-only` : store.settings.name,
        best: ws.coordination?.best ?? null,
        target,
        budgetWorkers: store.settings.budgetWorkers,
        queue: queueCounts(ws),
        stop: ws.stop,
        draining: sup.draining,
        stopping: sup.stopping,
        unconfined: sup.agents.filter((agent) => agent.unconfined).map((agent) => agent.id),
        clock,
      }}
      tabs={tabs}
      focusedId={ui.focusedId}
      renderAgent={(box, index) => {
        const tab = tabs.find((candidate) => candidate.id === box.id);
        return (
          <ConnectedAgentPane
            key={box.id}
            store={store}
            box={box}
            subtitle={[
              tab?.state === 'needs-login' ? 'needs login — Enter to attach, then /login once' : tab?.state,
              tab?.experiment,
            ]
              .filter(Boolean)
              .join(' · ')}
            focused={box.id === ui.focusedId}
            attached={ui.attached && box.id === ui.focusedId}
            scrolled={ui.scrollTop[box.id] !== undefined}
            separator={layout.view === 'grid' && index % layout.gridColumns !== 0}
            painted={box.id === paintedId}
          />
        );
      }}
      queue={{ entries: ws.queue?.entries ?? [], counts: queueCounts(ws), missing: ws.queue === null }}
      workers={workerRows(ws)}
      now={now}
      runs={runs}
      selectedRunId={ui.selectedRunId}
      log={ws.log}
      footer={{ hints: footerHints(mode), error, notice: ui.notice }}
      overlay={renderOverlay}
      search={overlay?.kind === 'search' ? { query: overlay.query, notFound: overlay.notFound } : undefined}
    />
  );
}
