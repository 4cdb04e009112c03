/**
 * bench:tui — the screen under load (issue 6). Four agents each stream ~200 KB/s of coloured output for
 * `--seconds` (default 30) in a 160×48 terminal; we measure the supervisor's CPU and memory, its frame times
 * (rows from the emulators, the whole frame, Ink's share: RALPH_TUI_METRICS) and keystroke-to-echo latency while attached. The
 * same four streams in four tmux panes, with a tmux client drawing them in a 160×48 pty, are the reference.
 *
 *   npm run bench:tui -- [--seconds 30] [--agents 4] [--rate 200000] [--cols 160] [--rows 48] [--skip-tmux]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pty from 'node-pty';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(repoRoot, 'bin', 'ralph-tui.js');
const streamAgent = path.join(repoRoot, 'test', 'e2e', 'stream-agent.mjs');

interface Options {
  seconds: number;
  agents: number;
  rate: number;
  cols: number;
  rows: number;
  skipTmux: boolean;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string, fallback: number) => {
    const at = argv.indexOf(name);
    return at >= 0 ? Number(argv[at + 1]) : fallback;
  };
  return {
    seconds: value('--seconds', 30),
    agents: value('--agents', 4),
    rate: value('--rate', 200_000),
    cols: value('--cols', 160),
    rows: value('--rows', 48),
    skipTmux: argv.includes('--skip-tmux'),
  };
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
    if (at !== null) latencies.push(at - sent);
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
    command: `node ${streamAgent} --rate ${options.rate} --input-line`,
    prompt: 'off',
  }));
  fs.writeFileSync(path.join(root, 'ralph.config.json'), JSON.stringify({ name: 'bench', runtime: 'local', agents }, null, 2));
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
  const startDeadline = Date.now() + 30_000;
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
    ? (JSON.parse(fs.readFileSync(metricsFile, 'utf8')) as { rows: number[]; frame: number[]; ink: number[]; frames: number })
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
  const agent = (index: number) => `RALPH_AGENT_ID=W${index} node ${streamAgent} --rate ${options.rate} --input-line`;
  const script = [
    `tmux -L ${socket} -f /dev/null new-session -d -x ${options.cols} -y ${options.rows} '${agent(0)}'`,
    ...Array.from({ length: options.agents - 1 }, (_, i) => `tmux -L ${socket} split-window -t 0 '${agent(i + 1)}' && tmux -L ${socket} select-layout -t 0 tiled`),
  ].join(' && ');
  execFileSync('sh', ['-c', script]);
  const term = pty.spawn('tmux', ['-L', socket, 'attach'], { name: 'xterm-256color', cols: options.cols, rows: options.rows, env: interactiveEnv({}) });
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

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  console.log(`bench:tui — ${options.agents} agents × ${Math.round(options.rate / 1000)} KB/s for ${options.seconds}s in ${options.cols}×${options.rows} (${os.cpus().length} CPUs, Node ${process.version})`);
  const ralph = await benchRalph(options);
  const tmux = options.skipTmux ? null : await benchTmux(options);
  const rows: Array<[string, string, string, string]> = [
    ['supervisor CPU (% of one core)', fmt(ralph.cpuPercent), tmux ? fmt(tmux.cpuPercent) : '—', tmux ? `ratio ${fmt(ralph.cpuPercent / tmux.cpuPercent, 2)} (target ≤ 2)` : 'target ≤ 2× tmux'],
    ['memory (peak RSS, MB)', fmt(ralph.rss / 2 ** 20, 0), tmux ? fmt(tmux.rss / 2 ** 20, 0) : '—', 'target ≤ 300'],
    ['keystroke→echo p50 / p95 (ms)', `${fmt(percentile(ralph.echo, 50))} / ${fmt(percentile(ralph.echo, 95))}`, tmux ? `${fmt(percentile(tmux.echo, 50))} / ${fmt(percentile(tmux.echo, 95))}` : '—', `p95 target ≤ 50; n=${ralph.echo.length}`],
    ['frame p50 / p95 (ms, scheduler → rows → React → Ink written)', `${fmt(percentile(ralph.metrics.frame, 50))} / ${fmt(percentile(ralph.metrics.frame, 95))}`, '—', `p95 target ≤ 50; ${ralph.metrics.frames} pane frames`],
    ['  rows from emulators p50 / p95', `${fmt(percentile(ralph.metrics.rows, 50), 2)} / ${fmt(percentile(ralph.metrics.rows, 95), 2)}`, '', ''],
    ['  Ink layout+write p50 / p95', `${fmt(percentile(ralph.metrics.ink, 50), 2)} / ${fmt(percentile(ralph.metrics.ink, 95), 2)}`, '', `${ralph.metrics.ink.length} Ink frames`],
  ];
  console.log('| measure | ralph-tui | tmux | note |\n|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

await main();
