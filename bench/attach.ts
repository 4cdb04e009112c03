/**
 * bench:attach — a screen attaching to the supervisor service, and what a second screen costs it.
 *
 * (a) A service (`up --headless --service`, started through the CLI) with 10 agents that each printed 5,000 lines
 * of coloured output of varied width, then stay quiet. Repeated `--runs` times (median and p95):
 *   protocol: connect + ServiceClient.attach in this process → every pane's screen restored in its mirror (all
 *             the first frame needs), → every pane's whole scrollback restored;
 *   screen:   the real CLI in a 160×48 pty, its output parsed by a headless xterm: spawn → the first full frame
 *             (the header drawn and the focused pane showing W0's last line), then `q` detaches; beside it
 *             `node -e ''`, the part that is Node itself starting.
 * (b) bench:tui's load (4 agents × 200 KB/s): the service's CPU over `--seconds` with one screen attached, then with
 * two, alternated `--rounds` times; also per MB of agent output the service read (its read bytes, /proc/PID/io),
 * since a loaded machine slows the generators themselves.
 *
 *   npm run bench:attach -- [--runs 5] [--seconds 15] [--rounds 2] [--skip-cpu] [--skip-attach]
 *   TUI_BENCH_NODE_ARGS / TUI_BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"   (profiles the screens / service)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import xterm from '@xterm/headless';
import { connectSocket, ServiceClient } from '../src/service/service-client.js';
import { serviceSocketPath } from '../src/service/service-socket.js';
import {
  benchWorkspace,
  cpuSeconds,
  fmt,
  generatorCommand,
  loadAverage,
  LOADS,
  percentile,
  repoRoot,
  sleep,
  spawnScreen,
  startService,
  stopService,
} from './screen-load.js';

const COLS = 160;
const ROWS = 48;
const AGENTS = 10;
const LINES = 5_000;
const FIRST_FRAME_TARGET_MS = 300;
const SECOND_SCREEN_TARGET = 1.2;

interface Options {
  runs: number;
  seconds: number;
  rounds: number;
  skipCpu: boolean;
  skipAttach: boolean;
}

function parseArgs(argv: string[]): Options {
  const at = (name: string, fallback: number) => {
    const index = argv.indexOf(name);
    return index >= 0 ? Number(argv[index + 1]) : fallback;
  };
  return {
    runs: at('--runs', 5),
    seconds: at('--seconds', 15),
    rounds: at('--rounds', 2),
    skipCpu: argv.includes('--skip-cpu'),
    skipAttach: argv.includes('--skip-attach'),
  };
}

const lastLine = (id: string) => `end of ${id}'s ${LINES} lines`;

/** The rows a terminal shows, as text. */
function screenText(terminal: xterm.Terminal): string {
  const buffer = terminal.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < terminal.rows; y++)
    lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
  return lines.join('\n');
}

async function until(description: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await sleep(100);
  }
}

/** Every agent printed its lines: its transcript ends with its last line (written once the agent is quiet). */
function everyAgentPrinted(root: string): boolean {
  return Array.from({ length: AGENTS }, (_, index) => `W${index}`).every((id) => {
    try {
      return fs.readFileSync(path.join(root, '.ralph', 'transcripts', `${id}.log`), 'utf8').includes(lastLine(id));
    } catch {
      return false;
    }
  });
}

/** connect + attach → every mirror shows its pane's screen, → every mirror holds the whole scrollback (ms). */
async function protocolAttach(root: string): Promise<{ screens: number; history: number }> {
  const t0 = performance.now();
  const client = await ServiceClient.attach(await connectSocket(serviceSocketPath(root)), { readOnly: true });
  const ids = client.supervisor.agentIds();
  let screens = NaN;
  let history = NaN;
  await new Promise<void>((resolve) => {
    const check = () => {
      const panes = ids.map((id) => client.supervisor.session(id).terminal);
      const shown = panes.every((terminal, index) => screenText(terminal).includes(lastLine(ids[index])));
      if (shown && Number.isNaN(screens)) screens = performance.now() - t0;
      // The scrollback holds 5,000 lines: a pane with fewer has not got its history yet.
      if (shown && panes.every((terminal) => terminal.buffer.active.length >= LINES)) {
        history = performance.now() - t0;
        resolve();
      }
    };
    for (const id of ids) client.supervisor.session(id).onOutput(check);
    check();
  });
  client.detach();
  return { screens, history };
}

/** TUI_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the screens (NODE_OPTIONS refuses --cpu-prof). */

interface ScreenTimes {
  /** The screen's first byte: Node started and the app's modules loaded (it resets the terminal's modes first). */
  firstByte: number;
  header: number;
  /** The header and the focused pane's content: the first full frame. */
  full: number;
}

/** The CLI's screen in a pty, its output parsed: spawn → header and W0's last line drawn (ms); `q` detaches it. */
async function screenAttach(root: string): Promise<ScreenTimes> {
  const terminal = new xterm.Terminal({ cols: COLS, rows: ROWS, scrollback: 0, allowProposedApi: true });
  const t0 = performance.now();
  const term = spawnScreen(root, COLS, ROWS);
  const exited = new Promise<void>((resolve) => term.onExit(() => resolve()));
  terminal.onData((data) => term.write(data));
  const times = { firstByte: NaN, header: NaN, full: NaN };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no first frame in 60 s:\n${screenText(terminal)}`)), 60_000);
    term.onData((data) => {
      if (Number.isNaN(times.firstByte)) times.firstByte = performance.now() - t0;
      terminal.write(data, () => {
        const text = screenText(terminal);
        if (!text.startsWith(' ralph-tui · bench')) return;
        if (Number.isNaN(times.header)) times.header = performance.now() - t0;
        if (!text.includes(lastLine('W0')) || !Number.isNaN(times.full)) return;
        times.full = performance.now() - t0;
        clearTimeout(timer);
        resolve();
      });
    });
  });
  term.write('q');
  await Promise.race([exited, sleep(15_000)]);
  terminal.dispose();
  return times;
}

/** `node -e ''`: the part of any start that is Node itself (the CLI has no --version to time instead) (ms). */
function nodeStartTime(): number {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return performance.now() - t0;
}

async function benchAttach(options: Options): Promise<string[][]> {
  const command = `node ${path.join(repoRoot, 'test', 'e2e', 'stream-agent.mjs')} --rate 0 --lines ${LINES}`;
  const root = benchWorkspace(AGENTS, command);
  const service = await startService(root, { cols: COLS, rows: ROWS, agents: AGENTS });
  const protocol: Array<{ screens: number; history: number }> = [];
  const screen: ScreenTimes[] = [];
  const nodeStart: number[] = [];
  try {
    await until('every agent printed its lines', () => everyAgentPrinted(root));
    await sleep(500);
    // One untimed attach of each kind first: the service's and this process's code is compiled, the disk cache warm.
    await protocolAttach(root);
    await screenAttach(root);
    for (let run = 0; run < options.runs; run++) {
      protocol.push(await protocolAttach(root));
      screen.push(await screenAttach(root));
      nodeStart.push(nodeStartTime());
    }
  } finally {
    await stopService(root, service);
    fs.rmSync(root, { recursive: true, force: true });
  }
  const stats = (values: number[]) => `${fmt(percentile(values, 50), 0)} / ${fmt(percentile(values, 95), 0)}`;
  const first = percentile(
    screen.map((run) => run.full),
    50,
  );
  const check = (ok: boolean) => (ok ? '✓' : '✗');
  return [
    [
      `attach, protocol: connect → ${AGENTS} panes' screens in the mirrors`,
      stats(protocol.map((run) => run.screens)),
      '',
      '',
    ],
    [
      `attach, protocol: connect → ${AGENTS} × ${LINES} lines of scrollback`,
      stats(protocol.map((run) => run.history)),
      '',
      '',
    ],
    [
      `attach, screen in a ${COLS}×${ROWS} pty: spawn → first full frame`,
      stats(screen.map((run) => run.full)),
      `≤ ${FIRST_FRAME_TARGET_MS}`,
      check(first <= FIRST_FRAME_TARGET_MS),
    ],
    ['  spawn → its first byte (Node started, the app loaded)', stats(screen.map((run) => run.firstByte)), '', ''],
    ['  spawn → header drawn', stats(screen.map((run) => run.header)), '', ''],
    ["  Node itself starting (`node -e ''`)", stats(nodeStart), '', ''],
  ];
}

/** The service's bytes read so far (its agents' output from the ptys, mostly; /proc/PID/io). */
function bytesRead(pid: number): number {
  const match = /rchar:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'));
  return match ? Number(match[1]) : 0;
}

/** A CLI screen in a pty whose output is read and thrown away (a terminal that keeps up). */
function openScreen(root: string): { pid: number; seen: () => boolean; close: () => Promise<void> } {
  const term = spawnScreen(root, COLS, ROWS);
  let tail = '';
  term.onData((data) => (tail = (tail + data).slice(-4096)));
  const exited = new Promise<void>((resolve) => term.onExit(() => resolve()));
  return {
    pid: term.pid,
    seen: () => tail.includes('token_'),
    close: async () => {
      term.write('q');
      await Promise.race([exited, sleep(15_000)]);
    },
  };
}

interface Phase {
  screens: number;
  cpuPercent: number;
  msPerMb: number;
  mbPerSecond: number;
}

/** The service's CPU with one screen, then two, `rounds` times. */
async function benchSecondScreen(options: Options): Promise<{ rows: string[][]; phases: Phase[] }> {
  const load = LOADS[0];
  const root = benchWorkspace(load.agents, generatorCommand(load));
  const service = await startService(root, { cols: COLS, rows: ROWS, agents: load.agents });
  const phases: Phase[] = [];
  const measure = async (screens: number) => {
    const cpu0 = cpuSeconds(service);
    const read0 = bytesRead(service);
    const t0 = performance.now();
    await sleep(options.seconds * 1000);
    const wall = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(service) - cpu0;
    const mb = (bytesRead(service) - read0) / 2 ** 20;
    phases.push({ screens, cpuPercent: (100 * cpu) / wall, msPerMb: (1000 * cpu) / mb, mbPerSecond: mb / wall });
  };
  try {
    const first = openScreen(root);
    await until('the first screen draws the stream', first.seen, 60_000);
    await sleep(2_000);
    for (let round = 0; round < options.rounds; round++) {
      await measure(1);
      const second = openScreen(root);
      await until('the second screen draws the stream', second.seen, 60_000);
      await sleep(2_000); // its scrollback sent, its mirrors warm
      await measure(2);
      await second.close();
      await sleep(1_000);
    }
    await first.close();
  } finally {
    await stopService(root, service);
    fs.rmSync(root, { recursive: true, force: true });
  }
  const of = (screens: number) => phases.filter((phase) => phase.screens === screens);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const cpuRatio = mean(of(2).map((p) => p.cpuPercent)) / mean(of(1).map((p) => p.cpuPercent));
  const mbRatio = mean(of(2).map((p) => p.msPerMb)) / mean(of(1).map((p) => p.msPerMb));
  const check = (ok: boolean) => (ok ? '✓' : '✗');
  const list = (screens: number, pick: (phase: Phase) => number, digits = 1) =>
    of(screens)
      .map((phase) => fmt(pick(phase), digits))
      .join(', ');
  const rows = [
    [
      `service CPU, 1 screen → 2 screens (% of a core; ${load.agents} × ${load.rate / 1000} KB/s, ${options.seconds} s each)`,
      `${list(1, (p) => p.cpuPercent)} → ${list(2, (p) => p.cpuPercent)}`,
      '',
      '',
    ],
    [
      '  agent output the service read (MB/s)',
      `${list(1, (p) => p.mbPerSecond, 2)} → ${list(2, (p) => p.mbPerSecond, 2)}`,
      '',
      '',
    ],
    [
      '  service CPU per MB of output (ms)',
      `${list(1, (p) => p.msPerMb, 0)} → ${list(2, (p) => p.msPerMb, 0)}`,
      '',
      '',
    ],
    [
      'second screen: service CPU ×',
      fmt(cpuRatio, 2),
      `≤ ${SECOND_SCREEN_TARGET}`,
      check(cpuRatio <= SECOND_SCREEN_TARGET),
    ],
    [
      'second screen: service CPU per MB ×',
      fmt(mbRatio, 2),
      `≤ ${SECOND_SCREEN_TARGET}`,
      check(mbRatio <= SECOND_SCREEN_TARGET),
    ],
  ];
  return { rows, phases };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const cpu = os.cpus();
  console.log(
    `bench:attach — ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, Node ${process.version}, ${new Date().toISOString()}, load average ${loadAverage()}`,
  );
  const rows: string[][] = [];
  if (!options.skipAttach) rows.push(...(await benchAttach(options)));
  const afterAttach = loadAverage();
  if (!options.skipCpu) rows.push(...(await benchSecondScreen(options)).rows);
  console.log(
    `\nload average ${afterAttach} after (a), ${loadAverage()} at the end; times in ms, median / p95 of ${options.runs} runs`,
  );
  console.log('| measure | figure | target | |\n|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

await main();
