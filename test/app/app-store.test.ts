import { afterEach, describe, expect, it } from 'vitest';
import xterm from '@xterm/headless';
import { AppStore } from '../../src/app/app-store.js';
import { confirmText } from '../../src/app/confirm-text.js';
import { InputController } from '../../src/app/input-controller.js';
import { computeLayout } from '../../src/app/layout.js';
import type {
  AgentSessionPort,
  SupervisorPort,
  SupervisorSnapshotView,
  WorkspaceSnapshotView,
} from '../../src/app/ports.js';

const { Terminal } = xterm;

/** Agents whose emulators we feed directly; a key sent to an agent is echoed as `KEY<key>` (like stream-agent). */
function fakeSupervisor(ids: string[]) {
  const sessions = new Map<string, AgentSessionPort & { listeners: Set<() => void> }>();
  for (const id of ids) {
    const listeners = new Set<() => void>();
    sessions.set(id, {
      terminal: new Terminal({ cols: 40, rows: 10, allowProposedApi: true }),
      bracketedPaste: false,
      listeners,
      onOutput: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    });
  }
  const output = (id: string, data: string) => {
    const session = sessions.get(id)!;
    session.terminal.write(data, () => session.listeners.forEach((listener) => listener()));
  };
  const snapshot: SupervisorSnapshotView = {
    agents: ids.map((id) => ({ id, role: 'worker', runtime: 'local', state: 'working', restarts: 0 })),
    draining: [],
    stopping: false,
    version: 1,
  };
  const restarts: string[] = [];
  const supervisor: SupervisorPort = {
    getSnapshot: () => snapshot,
    subscribe: () => () => undefined,
    agentIds: () => ids,
    session: (id) => sessions.get(id)!,
    write: (id, data) => output(id, `KEY${data}`),
    resize: (id, cols, rows) => sessions.get(id)!.terminal.resize(cols, rows),
    restart: async (id) => void restarts.push(id),
    nudge: () => undefined,
    stopGraceful: async () => undefined,
    stopForced: async () => undefined,
    resume: async () => undefined,
    shutdown: async () => undefined,
  };
  return { supervisor, output, restarts };
}

// Snapshots must be stable between changes (useSyncExternalStore re-renders forever on a new array).
const noRuns: never[] = [];
const workspace: WorkspaceSnapshotView = {
  queue: null,
  coordination: null,
  stop: { present: false },
  log: { entries: [], lines: [] },
  errors: [],
  version: 1,
};

function makeStore(ids: string[], frameIntervalMs: number, ws: WorkspaceSnapshotView = workspace) {
  const { supervisor, output, restarts } = fakeSupervisor(ids);
  const store = new AppStore({
    supervisor,
    watcher: {
      getSnapshot: () => ws,
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
    },
    actions: { listExperiments: () => [], planExperiment: (name) => ({ kind: 'run', name }) },
    settings: { name: 'test', targetScore: 1.25, experimentWorkers: 1 },
    frameIntervalMs,
  });
  store.setLayout(
    computeLayout({
      cols: 120,
      rows: 30,
      view: 'split',
      agentIds: ids,
      focusedId: store.getUi().focusedId,
      footerLines: 1,
    }),
  );
  return { store, output, restarts, controller: new InputController(store) };
}

const text = (store: AppStore, id: string) =>
  store.panes
    .get(id)
    .map((row) => row.runs.map((run) => run.text).join(''))
    .join('\n');

async function until(condition: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

let stores: AppStore[] = [];
afterEach(() => {
  stores.forEach((store) => store.dispose());
  stores = [];
});

describe('AppStore frames (what is drawn when)', () => {
  // A frame interval far longer than the test: anything drawn before it ends was drawn on the leading edge.
  const SLOW = 60_000;

  it("draws an attached keystroke's echo at once, while other output of the pane waits for the frame interval", async () => {
    const { store, output, controller } = makeStore(['W1'], SLOW);
    stores.push(store);
    // The first frame is drawn at once (leading edge)...
    expect(await until(() => store.panes.get('W1').length > 0)).toBe(true);
    // ...output right after it is held back by the throttle...
    output('W1', 'streamed\r\n');
    expect(await until(() => text(store, 'W1').includes('streamed'), 300)).toBe(false);
    // ...the echo of a key typed while attached is not (and the frame shows what streamed before it too).
    controller.handleInput('\r');
    expect(store.getUi().attached).toBe(true);
    controller.handleInput('x');
    expect(await until(() => text(store, 'W1').includes('KEYx'))).toBe(true);
    expect(text(store, 'W1')).toContain('streamed');
  });

  it('never builds rows for an agent that is not on screen, however much it prints; they appear when it is focused', async () => {
    const { store, output, controller } = makeStore(['W1', 'W2'], 10);
    stores.push(store);
    for (let i = 0; i < 20; i++) output('W2', `hidden ${i}\r\n`);
    expect(await until(() => text(store, 'W2').includes('hidden 19'), 300)).toBe(false);
    expect(store.panes.get('W2')).toHaveLength(0);
    controller.handleInput('2');
    store.setLayout(
      computeLayout({
        cols: 120,
        rows: 30,
        view: 'split',
        agentIds: ['W1', 'W2'],
        focusedId: store.getUi().focusedId,
        footerLines: 1,
      }),
    );
    expect(await until(() => text(store, 'W2').includes('hidden 19'))).toBe(true);
  });
});

describe('r (restart the focused agent)', () => {
  const holding: WorkspaceSnapshotView = {
    ...workspace,
    queue: {
      format: 'v3',
      file: '/w/orchestration/shared/experiment_queue.json',
      entries: [{ id: 'EXP_BUDGET_001', name: 'budget-fevals1-80', status: 'claimed', worker: 'W1', priority: 5 }],
      counts: { claimed: 1 },
    } as never,
  };

  it('asks first when the agent is running an experiment, naming both; n keeps it running, y restarts it', () => {
    const { store, restarts, controller } = makeStore(['W1', 'W2'], 10, holding);
    stores.push(store);
    controller.handleInput('r');
    const overlay = store.getUi().overlay;
    expect(overlay).toEqual({ kind: 'confirm', action: 'restart', agent: 'W1', experiment: 'budget-fevals1-80' });
    expect(confirmText(overlay as never).message).toContain('W1 is running budget-fevals1-80');
    controller.handleInput('n');
    expect(store.getUi().overlay).toBeNull();
    expect(restarts).toEqual([]);
    controller.handleInput('r');
    controller.handleInput('y');
    expect(restarts).toEqual(['W1']);
  });

  it('restarts at once an agent that runs no experiment', () => {
    const { store, restarts, controller } = makeStore(['W1', 'W2'], 10, holding);
    stores.push(store);
    controller.handleInput('2');
    controller.handleInput('r');
    expect(store.getUi().overlay).toBeNull();
    expect(restarts).toEqual(['W2']);
  });
});
