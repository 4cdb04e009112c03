/**
 * CPU per screen frame, without ptys or timing noise from other processes: the real App + AppStore drawn by Ink
 * into a fake 160×48 TTY, with four in-process emulators fed like `stream-agent.mjs`. Each frame: every emulator
 * parses `--chunk` bytes of coloured output, then the focused pane is drawn; we count only the CPU time of the
 * draw (rows → React → Ink → written). This isolates the screen's own cost per frame, which bench:tui mixes with
 * the frame rate, the emulators and the load of the machine (docs/screen.md).
 *
 * By default the focused pane is painted straight onto the (fake) terminal as the screen does; `--ink` draws it
 * through Ink as every other pane (the design before the painter).
 *
 *   node dist/bench/tui-frames.js [--frames 150] [--chunk 4000] [--ink]
 */
import { EventEmitter } from 'node:events';
import type { WorkspaceSnapshotView } from '../src/app/ports.js';
import { FakeStdin } from '../test/helpers/fake-stdin.js';

// React's development build is 2–3× slower (docs/screen.md); it must be chosen before React loads.
process.env.NODE_ENV ??= 'production';
const React = (await import('react')).default;
const { render } = await import('ink');
const { App } = await import('../src/app/App.js');
const { fakeAgents, fakeAppStore } = await import('../test/helpers/fake-screen-services.js');
const { InputController } = await import('../src/app/input-controller.js');
const { inkStdout, PanePainter } = await import('../src/app/pane-painter.js');

const value = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const frames = value('--frames', 150);
const throughInk = process.argv.includes('--ink');
const chunkBytes = value('--chunk', 4000);
const cols = 160;
const rows = 48;

let bytesWritten = 0;
class FakeStdout extends EventEmitter {
  readonly isTTY = true;
  readonly columns = cols;
  readonly rows = rows;
  write = (data: string): boolean => {
    bytesWritten += data.length;
    return true;
  };
}
const fakeStdout = new FakeStdout();
const painter = throughInk ? null : new PanePainter((data) => fakeStdout.write(data));

const ids = ['W0', 'W1', 'W2', 'W3'];
const { supervisor, output: parse } = fakeAgents(ids, { cols: 105, rows: 44, scrollback: 5000 });

// The lines stream-agent.mjs writes: a bold coloured id, a dim counter, six 256-colour tokens, a truecolour one.
const colours = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];
const counters = new Map(ids.map((id) => [id, 0]));
function chunkFor(id: string): string {
  let chunk = '';
  while (chunk.length < chunkBytes) {
    const line = counters.get(id)! + 1;
    counters.set(id, line);
    const parts = [
      `\x1b[1;${colours[line % colours.length]}m${id}\x1b[0m`,
      `\x1b[2m${String(line).padStart(7)}\x1b[0m`,
    ];
    for (let i = 0; i < 6; i++)
      parts.push(`\x1b[38;5;${(line * 7 + i * 31) % 256}mtoken_${(line * 13 + i) % 997}\x1b[0m`);
    parts.push(`\x1b[38;2;${line % 256};${(line * 3) % 256};200mrgb\x1b[0m`);
    chunk += parts.join(' ') + '\r\n';
  }
  return chunk;
}

// Side panes as full as a real deployment's (they are part of every frame Ink renders).
const statuses = ['running', 'claimed', 'available', 'available', 'completed'] as const;
const entries = Array.from({ length: 30 }, (_, i) => ({
  id: `e${i}`,
  name: `experiment_${i}_polish_variant`,
  priority: 1 + (i % 5),
  status: statuses[i % statuses.length],
  worker: i % 5 < 2 ? ids[i % 4] : undefined,
  score: i % 5 === 4 ? 1.1 + i / 1000 : undefined,
  timeMin: i % 5 === 4 ? 50 + i : undefined,
}));
const workspace: WorkspaceSnapshotView = {
  queue: { entries, counts: { running: 6, claimed: 6, available: 12, completed: 6 } },
  coordination: {
    best: { score: 1.1689, timeMin: 58.2 },
    target: 1.25,
    workers: Object.fromEntries(
      ids.map((id, i) => [id, { status: 'active', currentExperiment: `experiment_${i}_polish_variant`, runs: 10 + i }]),
    ),
  },
  stop: { present: false },
  log: {
    entries: Array.from({ length: 40 }, (_, i) => ({
      worker: ids[i % 4],
      experiment: `experiment_${i}`,
      score: 1.1 + i / 1000,
      timeMin: 40 + i,
    })),
    lines: Array.from(
      { length: 40 },
      (_, i) =>
        `### [${ids[i % 4]}] Experiment: experiment_${i} | Score: ${(1.1 + i / 1000).toFixed(4)} @ ${40 + i} min`,
    ),
  },
  errors: [],
  version: 1,
};
const store = fakeAppStore({
  supervisor,
  workspace,
  settings: { name: 'bench' },
  // No throttle: the focused pane (W0) is drawn right after its emulator parsed each chunk (see run()).
  frameIntervalMs: 0,
  painter,
});
const controller = new InputController(store);
const inkMs: number[] = [];
const instance = render(React.createElement(App, { store, controller }), {
  stdout: (painter
    ? inkStdout(fakeStdout as unknown as NodeJS.WriteStream, painter)
    : fakeStdout) as unknown as NodeJS.WriteStream,
  stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
  exitOnCtrlC: false,
  patchConsole: false,
  incrementalRendering: true,
  maxFps: 1000,
  onRender: ({ renderTime }) => inkMs.push(renderTime),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tick = () => new Promise((resolve) => setImmediate(resolve));
for (const id of ids) await parse(id, '\x1b[2;44r\x1b[44;1H');
await sleep(300);

/**
 * CPU ms of each frame's draw. The hidden agents parse first; W0's parse marks its pane dirty and the scheduler
 * draws it on the next setImmediate, which runs after the clock started (a resumed await is a microtask).
 */
async function run(count: number): Promise<number[]> {
  const cpu: number[] = [];
  for (let i = 0; i < count; i++) {
    for (const id of ['W1', 'W2', 'W3']) await parse(id, chunkFor(id));
    await parse('W0', chunkFor('W0'));
    const start = process.cpuUsage();
    await tick();
    await tick();
    const used = process.cpuUsage(start);
    cpu.push((used.user + used.system) / 1000);
    await sleep(5);
  }
  return cpu;
}

await run(30); // warm-up: JIT, caches
inkMs.length = 0;
bytesWritten = 0;
const cpu = await run(frames);
const sorted = [...cpu].sort((a, b) => a - b);
const mean = cpu.reduce((sum, ms) => sum + ms, 0) / cpu.length;
const inkSorted = [...inkMs].sort((a, b) => a - b);
console.log(
  `bench:tui-frames — the real App in ${cols}×${rows}, 4 emulators, ${chunkBytes} B of new output per pane per frame, ${frames} frames, focused pane ${throughInk ? 'through Ink' : 'painted'} (Node ${process.version})`,
);
console.log('| measure | value |\n|---|---|');
console.log(
  `| CPU per frame, mean / p50 (ms) | ${mean.toFixed(2)} / ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} |`,
);
console.log(`| Ink render p50 (ms) | ${inkSorted[Math.floor(inkSorted.length / 2)]?.toFixed(2) ?? '—'} |`);
console.log(`| bytes written per frame | ${Math.round(bytesWritten / frames)} |`);
console.log(`| RSS (MB) | ${Math.round(process.memoryUsage().rss / 2 ** 20)} |`);
instance.unmount();
store.dispose();
