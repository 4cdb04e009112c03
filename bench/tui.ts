/**
 * bench:tui — the screen under load. Agents stream coloured output for `--seconds` (default 30) in a 160×48
 * terminal; we measure the CPU and memory of the screen and of the supervisor service it is attached to (the
 * agents' ptys and emulators live there; the screen keeps a mirror of each emulator, so the output is parsed twice),
 * the screen's frame times (rows from the emulators, the whole frame, Ink's share: RALPH_TUI_METRICS) and
 * keystroke-to-echo latency while attached to W0. The same streams
 * under tmux, with a tmux client drawing them in a 160×48 pty, are the reference, measured right after in the
 * same run so the machine's load weighs on both.
 *
 * Two loads by default, each ralph-tui then tmux: 4 agents × 200 KB/s from Node generators (all four in tiled
 * tmux panes), and 100 agents × 2 KB/s from shell loops (light generators, so they do not starve the screen;
 * one tmux window per agent, as the screen shows one agent at a time). `--agents`, `--rate` and `--generator`
 * run one load instead.
 *
 *   npm run bench:tui -- [--seconds 30] [--agents N] [--rate B/s] [--generator shell|node] [--cols 160] [--rows 48] [--skip-tmux]
 *   TUI_BENCH_CLI=OTHER/bin/ralph-tui.js npm run bench:tui -- ...   (another build under the same load)
 *   TUI_BENCH_NODE_ARGS / TUI_BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"   (profiles the screen / service)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pty from 'node-pty';
import {
  benchWorkspace,
  cpuSeconds,
  fmt,
  generatorCommand,
  interactiveEnv,
  loadAverage,
  LOADS,
  percentile,
  rssBytes,
  sleep,
  spawnScreen,
  startService,
  stopService,
  type Load,
} from './screen-load.js';

interface Options extends Load {
  seconds: number;
  cols: number;
  rows: number;
  skipTmux: boolean;
}

function parseArgs(argv: string[]): Options[] {
  const at = (name: string) => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const generator = at('--generator');
  if (generator !== undefined && generator !== 'node' && generator !== 'shell')
    throw new Error(`--generator: expected node or shell, got ${generator}`);
  const common = {
    seconds: Number(at('--seconds') ?? 30),
    cols: Number(at('--cols') ?? 160),
    rows: Number(at('--rows') ?? 48),
    skipTmux: argv.includes('--skip-tmux'),
  };
  if (at('--agents') === undefined && at('--rate') === undefined && generator === undefined)
    return LOADS.map((load) => ({ ...common, ...load }));
  return [
    {
      ...common,
      agents: Number(at('--agents') ?? 4),
      rate: Number(at('--rate') ?? 200_000),
      generator: generator ?? 'node',
    },
  ];
}

/** Watches a pty's output for markers (keystroke echoes) without keeping all of it. */
class OutputWatch {
  private tail = '';
  private waiters: Array<{ marker: string; resolve: (at: number) => void }> = [];
  bytes = 0;

  constructor(term: pty.IPty) {
    term.onData((data) => {
      this.bytes += data.length;
      this.tail = (this.tail + data).slice(-65_536);
      const now = performance.now();
      this.waiters = this.waiters.filter((waiter) => {
        if (!this.tail.includes(waiter.marker)) return true;
        waiter.resolve(now);
        return false;
      });
    });
  }

  /** Resolves with the time the marker first appears in output written after this call. */
  next(marker: string, timeoutMs: number): Promise<number | null> {
    this.tail = '';
    return new Promise((resolve) => {
      const waiter = { marker, resolve: (at: number) => resolve(at) };
      this.waiters.push(waiter);
      setTimeout(() => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        resolve(null);
      }, timeoutMs);
    });
  }

  seen(text: string): boolean {
    return this.tail.includes(text);
  }
}

/** Echo latency: one unique key every 200 ms while streaming, time until its echo is drawn. */
async function measureEcho(term: pty.IPty, watch: OutputWatch, seconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const deadline = performance.now() + seconds * 1000;
  let index = 0;
  while (performance.now() < deadline) {
    const key = letters[index++ % letters.length] + letters[Math.floor(index / 26) % 26];
    // Two keys make the marker unique enough in a stream of "token_" words; the agent echoes per read.
    const waiting = watch.next(`KEY${key}`, 2_000);
    const sent = performance.now();
    term.write(key);
    const at = await waiting;
    // An echo that never came counts as the whole wait, so a lost key cannot flatter the percentiles.
    latencies.push(at === null ? 2_000 : at - sent);
    await sleep(200);
  }
  return latencies;
}

async function benchRalph(options: Options) {
  const root = benchWorkspace(options.agents, generatorCommand(options));
  const metricsFile = path.join(root, 'metrics.json');
  const service = await startService(root, options);
  // TUI_BENCH_SERVICE_NODE_ARGS profiles the service (TUI_BENCH_NODE_ARGS the screen, see spawnScreen).
  const term = spawnScreen(root, options.cols, options.rows, { RALPH_TUI_METRICS: metricsFile });
  const watch = new OutputWatch(term);
  const exited = new Promise<void>((resolve) => term.onExit(() => resolve()));
  const startDeadline = Date.now() + 60_000;
  while (!watch.seen('token_') && Date.now() < startDeadline) await sleep(100);
  await sleep(2_000); // warm-up: JIT, first layout, emulators resized
  const pids = { screen: term.pid, service };
  const cpu0 = { screen: cpuSeconds(pids.screen), service: cpuSeconds(pids.service) };
  const t0 = performance.now();
  term.write('\r'); // attach to W0
  await sleep(300);
  const echo = await measureEcho(term, watch, options.seconds);
  const wall = (performance.now() - t0) / 1000;
  const percent = (which: 'screen' | 'service') => (100 * (cpuSeconds(pids[which]) - cpu0[which])) / wall;
  const cpu = { screen: percent('screen'), service: percent('service') };
  const rss = { screen: rssBytes(pids.screen), service: rssBytes(pids.service) };
  term.write('\x1d'); // leave W0, then Ctrl-C twice detaches the screen
  await sleep(200);
  term.write('\x03');
  await sleep(100);
  term.write('\x03');
  await Promise.race([exited, sleep(15_000)]);
  await stopService(root, service);
  const metrics = fs.existsSync(metricsFile)
    ? (JSON.parse(fs.readFileSync(metricsFile, 'utf8')) as {
        rows: number[];
        frame: number[];
        ink: number[];
        frames: number;
      })
    : { rows: [], frame: [], ink: [], frames: 0 };
  fs.rmSync(root, { recursive: true, force: true });
  return { cpu, rss, echo, metrics, outputBytes: watch.bytes, wall };
}

function tmuxPids(socket: string): number[] {
  try {
    const server = Number(execFileSync('tmux', ['-L', socket, 'display-message', '-p', '#{pid}']).toString().trim());
    const clients = execFileSync('tmux', ['-L', socket, 'list-clients', '-F', '#{client_pid}'])
      .toString()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
    return [server, ...clients];
  } catch {
    return [];
  }
}

async function benchTmux(options: Options) {
  const socket = `tui-bench-${process.pid}`;
  const agent = (index: number) => `RALPH_AGENT_ID=W${index} ${generatorCommand(options)}`;
  // Up to 9 agents in tiled panes of one window (all drawn); more in one window each (only W0's drawn),
  // as the screen draws only the focused agent then.
  const add = (i: number) =>
    options.agents <= 9
      ? `tmux -L ${socket} split-window -t 0 '${agent(i + 1)}' && tmux -L ${socket} select-layout -t 0 tiled`
      : `tmux -L ${socket} new-window -d '${agent(i + 1)}'`;
  const script = [
    `tmux -L ${socket} -f /dev/null new-session -d -x ${options.cols} -y ${options.rows} '${agent(0)}'`,
    ...Array.from({ length: options.agents - 1 }, (_, i) => add(i)),
  ].join(' && ');
  execFileSync('sh', ['-c', script]);
  const term = pty.spawn('tmux', ['-L', socket, 'attach', '-t', '0:0'], {
    name: 'xterm-256color',
    cols: options.cols,
    rows: options.rows,
    env: interactiveEnv({}),
  });
  const watch = new OutputWatch(term);
  await sleep(2_500);
  const pids = tmuxPids(socket);
  const cpu0 = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const t0 = performance.now();
  const echo = await measureEcho(term, watch, options.seconds);
  const wall = (performance.now() - t0) / 1000;
  const cpu = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - cpu0;
  const rss = pids.reduce((sum, pid) => sum + rssBytes(pid, 'VmRSS'), 0);
  try {
    execFileSync('tmux', ['-L', socket, 'kill-server']);
  } catch {
    // Already gone.
  }
  term.kill();
  return { cpuPercent: (100 * cpu) / wall, rss, echo, wall };
}

async function benchLoad(options: Options): Promise<void> {
  const load0 = loadAverage();
  const ralph = await benchRalph(options);
  const tmux = options.skipTmux ? null : await benchTmux(options);
  const heavy = options.agents <= 9;
  const cpuLimit = heavy ? 2 : 1;
  const echoLimit = heavy ? 50 : 100;
  const cpuTotal = ralph.cpu.screen + ralph.cpu.service;
  const rssTotal = (ralph.rss.screen + ralph.rss.service) / 2 ** 20;
  const cpuRatio = tmux ? cpuTotal / tmux.cpuPercent : NaN;
  const echo95 = percentile(ralph.echo, 95);
  const frame95 = percentile(ralph.metrics.frame, 95);
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(
    `\n${options.agents} agents × ${fmt(options.rate / 1000, options.rate < 10_000 ? 1 : 0)} KB/s (${options.generator} generators), ${options.seconds} s each, load average ${load0} → ${loadAverage()}`,
  );
  const rows: Array<[string, string, string, string]> = [
    [
      'CPU, screen + service (% of one core; tmux: server + client)',
      fmt(cpuTotal),
      tmux ? fmt(tmux.cpuPercent) : '—',
      tmux
        ? `ratio ${fmt(cpuRatio, 2)}: target ≤ ${cpuLimit} ${verdict(cpuRatio <= cpuLimit)}`
        : `target ≤ ${cpuLimit}× tmux`,
    ],
    ['  screen / service', `${fmt(ralph.cpu.screen)} / ${fmt(ralph.cpu.service)}`, '', ''],
    [
      'memory, screen + service (peak RSS, MB)',
      fmt(rssTotal, 0),
      tmux ? fmt(tmux.rss / 2 ** 20, 0) : '—',
      heavy ? `target ≤ 300 ${verdict(rssTotal <= 300)}` : '',
    ],
    ['  screen / service', `${fmt(ralph.rss.screen / 2 ** 20, 0)} / ${fmt(ralph.rss.service / 2 ** 20, 0)}`, '', ''],
    [
      'keystroke→echo p50 / p95 (ms)',
      `${fmt(percentile(ralph.echo, 50))} / ${fmt(echo95)}`,
      tmux ? `${fmt(percentile(tmux.echo, 50))} / ${fmt(percentile(tmux.echo, 95))}` : '—',
      `p95 target ≤ ${echoLimit} ${verdict(echo95 <= echoLimit)}; n=${ralph.echo.length}, ${ralph.echo.filter((ms) => ms >= 2_000).length} lost (counted as 2 s)${tmux ? ` vs ${tmux.echo.filter((ms) => ms >= 2_000).length}` : ''}`,
    ],
    [
      'frame p50 / p95 (ms, scheduler → rows → on the terminal)',
      `${fmt(percentile(ralph.metrics.frame, 50))} / ${fmt(frame95)}`,
      '—',
      heavy
        ? `p95 target ≤ 50 ${verdict(frame95 <= 50)}; ${ralph.metrics.frames} pane frames`
        : `${ralph.metrics.frames} pane frames`,
    ],
    [
      '  rows from emulators p50 / p95',
      `${fmt(percentile(ralph.metrics.rows, 50), 2)} / ${fmt(percentile(ralph.metrics.rows, 95), 2)}`,
      '',
      '',
    ],
    [
      '  Ink layout+write p50 / p95',
      `${fmt(percentile(ralph.metrics.ink, 50), 2)} / ${fmt(percentile(ralph.metrics.ink, 95), 2)}`,
      '',
      `${ralph.metrics.ink.length} Ink frames`,
    ],
  ];
  console.log('| measure | ralph-tui | tmux | note |\n|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

async function main(): Promise<void> {
  const loads = parseArgs(process.argv.slice(2));
  console.log(
    `bench:tui — ${loads[0].cols}×${loads[0].rows}, ${os.cpus().length} CPUs, Node ${process.version}, ${new Date().toISOString()}`,
  );
  for (const options of loads) await benchLoad(options);
}

await main();
