// Stand-ins for the screen's services (agents with real emulators, a fixed workspace, an idle runner).
import xterm from '@xterm/headless';
import { AppStore, type AppSettings, type AppStoreOptions } from '../../src/app/app-store.js';
import type {
  AgentSessionPort,
  ExperimentRunnerPort,
  SupervisorPort,
  WorkspaceActions,
  WorkspaceSnapshotView,
} from '../../src/app/ports.js';

export interface FakeAgents {
  supervisor: SupervisorPort;
  /** Feeds an agent's emulator as its pty would; resolves once parsed and its output listeners ran. */
  output(id: string, data: string): Promise<void>;
  /** The agents restarted, in order. */
  restarts: string[];
}

/**
 * Agents whose emulators are fed directly (`output`); a key sent to an agent is echoed into its emulator as
 * `KEY<key>`, as stream-agent.mjs does.
 */
export function fakeAgents(ids: string[], size: { cols: number; rows: number; scrollback?: number }): FakeAgents {
  const sessions = new Map<string, AgentSessionPort & { listeners: Set<() => void> }>();
  for (const id of ids) {
    const listeners = new Set<() => void>();
    sessions.set(id, {
      terminal: new xterm.Terminal({ ...size, allowProposedApi: true }),
      bracketedPaste: false,
      listeners,
      onOutput: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    });
  }
  const session = (id: string) => sessions.get(id)!;
  const output = (id: string, data: string) =>
    new Promise<void>((resolve) =>
      session(id).terminal.write(data, () => {
        session(id).listeners.forEach((listener) => listener());
        resolve();
      }),
    );
  const snapshot = {
    agents: ids.map((id) => ({ id, role: 'worker', runtime: 'local', state: 'working' as const, restarts: 0 })),
    draining: [],
    stopping: false,
    version: 1,
  };
  const restarts: string[] = [];
  const supervisor: SupervisorPort = {
    getSnapshot: () => snapshot,
    subscribe: () => () => undefined,
    agentIds: () => ids,
    session,
    write: (id, data) => void output(id, `KEY${data}`),
    resize: (id, cols, rows) => session(id).terminal.resize(cols, rows),
    restart: async (id) => void restarts.push(id),
    nudge: () => undefined,
    stopGraceful: async () => undefined,
    stopForced: async () => undefined,
    resume: async () => undefined,
    shutdown: async () => undefined,
  };
  return { supervisor, output, restarts };
}

/** A workspace with no queue, coordination, STOP, log or errors. */
export const emptyWorkspace: WorkspaceSnapshotView = {
  queue: null,
  coordination: null,
  stop: { present: false },
  log: { entries: [], lines: [] },
  errors: [],
  version: 1,
};

// Snapshots must be stable between changes (useSyncExternalStore re-renders forever on a new array).
const noRuns: never[] = [];

/** An AppStore over the given agents and a workspace that never changes; the runner and actions do nothing unless given. */
export function fakeAppStore(options: {
  supervisor: SupervisorPort;
  workspace?: WorkspaceSnapshotView;
  runner?: Partial<ExperimentRunnerPort>;
  actions?: WorkspaceActions;
  settings?: Partial<AppSettings>;
  frameIntervalMs?: number;
  painter?: AppStoreOptions['painter'];
}): AppStore {
  const workspace = options.workspace ?? emptyWorkspace;
  return new AppStore({
    supervisor: options.supervisor,
    watcher: {
      getSnapshot: () => workspace,
      subscribe: () => () => undefined,
      start: async () => undefined,
      close: async () => undefined,
    },
    runner: {
      getSnapshot: () => noRuns,
      subscribe: () => () => undefined,
      startBuiltin: () => 'r',
      cancel: async () => undefined,
      dispose: async () => undefined,
      ...options.runner,
    },
    actions: options.actions ?? { listExperiments: () => [], planExperiment: (name) => ({ kind: 'run', name }) },
    settings: { name: 'test', targetScore: 1.25, experimentWorkers: 1, ...options.settings },
    frameIntervalMs: options.frameIntervalMs,
    painter: options.painter,
  });
}
