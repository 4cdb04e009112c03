/**
 * bench:tui — the screen under load. Agents stream coloured output for `--seconds` (default 30) in a 160×48
 * terminal; we measure the supervisor's CPU and memory, its frame times (rows from the emulators, the whole
 * frame, Ink's share: RALPH_TUI_METRICS) and keystroke-to-echo latency while attached to W0. The same streams
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
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pty from 'node-pty';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// TUI_BENCH_CLI=OTHER/bin/ralph-tui.js measures another build (a before/after comparison in the same conditions).
const cli = process.env.TUI_BENCH_CLI ?? path.join(repoRoot, 'bin', 'ralph-tui.js');
type Generator = 'node' | 'shell';

interface Load {
  agents: number;
  rate: number;
  generator: Generator;
}

interface Options extends Load {
  seconds: number;
  cols: number;
  rows: number;
  skipTmux: boolean;
}

/** The loads of the targets: CPU ≤ 2× tmux with echo/frame p95 ≤ 50 ms and ≤ 300 MB; CPU ≤ tmux with echo p95 ≤ 100 ms. */
const LOADS: Load[] = [
  { agents: 4, rate: 200_000, generator: 'node' },
  { agents: 100, rate: 2_000, generator: 'shell' },
];

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

/** The command line of one agent's generator. */
function generatorCommand(load: Load): string {
  const script =
    load.generator === 'node'
      ? `node ${path.join(repoRoot, 'test', 'e2e', 'stream-agent.mjs')}`
      : `bash ${path.join(repoRoot, 'test', 'e2e', 'stream-agent.sh')}`;
  return `${script} --rate ${load.rate} --input-line`;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime of a process, in seconds (from /proc). */
function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

function rssBytes(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmHWM'): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

function workspace(options: Options): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tui-bench-'));
  const agents = Array.from({ length: options.agents }, (_, index) => ({
    id: `W${index}`,
    role: index === 0 ? 'orchestrator' : 'worker',
    kind: 'custom',
    command: generatorCommand(options),
    prompt: 'off',
  }));
  fs.writeFileSync(
    path.join(root, 'ralph.config.json'),
    JSON.stringify({ name: 'bench', runtime: 'local', agents }, null, 2),
  );
  fs.mkdirSync(path.join(root, 'orchestration', 'shared'), { recursive: true });
  return root;
}

function interactiveEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key !== 'CONTINUOUS_INTEGRATION' && !key.startsWith('CI_')) env[key] = value;
  }
  return { ...env, CI: 'false', TERM: 'xterm-256color', COLORTERM: 'truecolor', ...extra };
}

async function benchRalph(options: Options) {
  const root = workspace(options);
  const metricsFile = path.join(root, 'metrics.json');
  // TUI_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the supervisor (NODE_OPTIONS refuses --cpu-prof).
  const nodeArgs = (process.env.TUI_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const term = pty.spawn(process.execPath, [...nodeArgs, cli, '--workspace', root], {
    name: 'xterm-256color',
    cols: options.cols,
    rows: options.rows,
    cwd: root,
    env: interactiveEnv({ RALPH_TUI_METRICS: metricsFile }),
  });
  const watch = new OutputWatch(term);
  const exited = new Promise<void>((resolve) => term.onExit(() => resolve()));
  const startDeadline = Date.now() + 60_000;
  while (!watch.seen('token_') && Date.now() < startDeadline) await sleep(100);
  await sleep(2_000); // warm-up: JIT, first layout, emulators resized
  const cpu0 = cpuSeconds(term.pid);
  const t0 = performance.now();
  term.write('\r'); // attach to W0
  await sleep(300);
  const echo = await measureEcho(term, watch, options.seconds);
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(term.pid) - cpu0;
  const rss = rssBytes(term.pid);
  term.write('\x1d'); // detach, then Ctrl-C twice quits
  await sleep(200);
  term.write('\x03');
  await sleep(100);
  term.write('\x03');
  await Promise.race([exited, sleep(15_000)]);
  const metrics = fs.existsSync(metricsFile)
    ? (JSON.parse(fs.readFileSync(metricsFile, 'utf8')) as {
        rows: number[];
        frame: number[];
        ink: number[];
        frames: number;
      })
    : { rows: [], frame: [], ink: [], frames: 0 };
  fs.rmSync(root, { recursive: true, force: true });
  return { cpuPercent: (100 * cpu) / wall, rss, echo, metrics, outputBytes: watch.bytes, wall };
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

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

const loadAverage = () => os.loadavg()[0].toFixed(1);

async function benchLoad(options: Options): Promise<void> {
  const load0 = loadAverage();
  const ralph = await benchRalph(options);
  const tmux = options.skipTmux ? null : await benchTmux(options);
  const heavy = options.agents <= 9;
  const cpuLimit = heavy ? 2 : 1;
  const echoLimit = heavy ? 50 : 100;
  const cpuRatio = tmux ? ralph.cpuPercent / tmux.cpuPercent : NaN;
  const echo95 = percentile(ralph.echo, 95);
  const frame95 = percentile(ralph.metrics.frame, 95);
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(
    `\n${options.agents} agents × ${fmt(options.rate / 1000, options.rate < 10_000 ? 1 : 0)} KB/s (${options.generator} generators), ${options.seconds} s each, load average ${load0} → ${loadAverage()}`,
  );
  const rows: Array<[string, string, string, string]> = [
    [
      'supervisor CPU (% of one core)',
      fmt(ralph.cpuPercent),
      tmux ? fmt(tmux.cpuPercent) : '—',
      tmux
        ? `ratio ${fmt(cpuRatio, 2)}: target ≤ ${cpuLimit} ${verdict(cpuRatio <= cpuLimit)}`
        : `target ≤ ${cpuLimit}× tmux`,
    ],
    [
      'memory (peak RSS, MB)',
      fmt(ralph.rss / 2 ** 20, 0),
      tmux ? fmt(tmux.rss / 2 ** 20, 0) : '—',
      heavy ? `target ≤ 300 ${verdict(ralph.rss / 2 ** 20 <= 300)}` : '',
    ],
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
