import { afterEach, describe, expect, it } from 'vitest';
import type { AppStore } from '../../src/app/app-store.js';
import { confirmText } from '../../src/app/confirm-text.js';
import { InputController } from '../../src/app/input-controller.js';
import { computeLayout } from '../../src/app/layout.js';
import type { WorkspaceSnapshotView } from '../../src/app/ports.js';
import { emptyWorkspace, fakeAgents, fakeAppStore } from '../helpers/fake-screen-services.js';

function makeStore(ids: string[], frameIntervalMs: number, workspace: WorkspaceSnapshotView = emptyWorkspace) {
  const { supervisor, output, restarts } = fakeAgents(ids, { cols: 40, rows: 10 });
  const store = fakeAppStore({ supervisor, workspace, frameIntervalMs });
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
    void output('W1', 'streamed\r\n');
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
    for (let i = 0; i < 20; i++) void output('W2', `hidden ${i}\r\n`);
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
    ...emptyWorkspace,
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
