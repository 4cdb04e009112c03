// What bench:tui and bench:attach share: the streaming agents' workspace, the supervisor service run through the CLI, and /proc measures.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeLayout } from '../src/app/layout.js';
import { serviceSocketPath } from '../src/service/service-socket.js';
import pty from 'node-pty';
import { socketAnswers } from '../test/helpers/processes.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// TUI_BENCH_CLI=OTHER/bin/ralph-tui.js measures another build (a before/after comparison in the same conditions).
export const cli = process.env.TUI_BENCH_CLI ?? path.join(repoRoot, 'bin', 'ralph-tui.js');

export type Generator = 'node' | 'shell';

export interface Load {
  agents: number;
  rate: number;
  generator: Generator;
}

/** bench:tui's loads (its targets: CPU ≤ 2× tmux with echo/frame p95 ≤ 50 ms and ≤ 300 MB; CPU ≤ tmux with echo p95 ≤ 100 ms). */
export const LOADS: Load[] = [
  { agents: 4, rate: 200_000, generator: 'node' },
  { agents: 100, rate: 2_000, generator: 'shell' },
];

/** The command line of one streaming agent (stream-agent.mjs, or the lighter shell loop). */
export function generatorCommand(load: Load): string {
  const script =
    load.generator === 'node'
      ? `node ${path.join(repoRoot, 'test', 'e2e', 'stream-agent.mjs')}`
      : `bash ${path.join(repoRoot, 'test', 'e2e', 'stream-agent.sh')}`;
  return `${script} --rate ${load.rate} --input-line`;
}

/** A fresh workspace of `agents` local custom agents running `command` (W0 the orchestrator), without prompts. */
export function benchWorkspace(agents: number, command: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tui-bench-'));
  const config = Array.from({ length: agents }, (_, index) => ({
    id: `W${index}`,
    role: index === 0 ? 'orchestrator' : 'worker',
    kind: 'custom',
    command,
    prompt: 'off',
  }));
  fs.writeFileSync(
    path.join(root, 'ralph.config.json'),
    JSON.stringify({ name: 'bench', runtime: 'local', agents: config }, null, 2),
  );
  fs.mkdirSync(path.join(root, 'orchestration', 'shared'), { recursive: true });
  return root;
}

/** The environment of a screen in a pty: Ink draws live frames only when it does not think it runs in CI. */
export function interactiveEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key !== 'CONTINUOUS_INTEGRATION' && !key.startsWith('CI_')) env[key] = value;
  }
  return { ...env, CI: 'false', TERM: 'xterm-256color', COLORTERM: 'truecolor', ...extra };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The CLI's screen on `root` in a pty of the given size. TUI_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"
 * profiles it (NODE_OPTIONS refuses --cpu-prof).
 */
export function spawnScreen(root: string, cols: number, rows: number, env: Record<string, string> = {}): pty.IPty {
  const nodeArgs = (process.env.TUI_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return pty.spawn(process.execPath, [...nodeArgs, cli, '--workspace', root], {
    name: 'xterm-256color',
    cols,
    rows,
    cwd: root,
    env: interactiveEnv(env),
  });
}

/**
 * Starts the workspace's supervisor service as a screen does (`up --headless --service`, its own session) and
 * resolves with its pid once its socket answers. Started here rather than by the first screen so its pid is known
 * for certain and `TUI_BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"` can profile it.
 */
export async function startService(
  root: string,
  screen: { cols: number; rows: number; agents: number },
): Promise<number> {
  const nodeArgs = (process.env.TUI_BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // The emulators start at the size of the screen's first pane, as when the screen starts the service.
  const agentIds = Array.from({ length: screen.agents }, (_, index) => `W${index}`);
  const pane = computeLayout({ ...screen, view: 'split', agentIds, focusedId: 'W0', footerLines: 1 }).agents[0];
  const args = [...nodeArgs, cli, '--workspace', root, 'up', '--headless', '--service'];
  if (pane) args.push('--pane-size', `${pane.cols}x${pane.rows}`);
  const child = spawn(process.execPath, args, { cwd: root, detached: true, stdio: 'ignore' });
  child.unref();
  running.add(root);
  stopOnInterrupt();
  const deadline = Date.now() + 60_000;
  while (!(await socketAnswers(serviceSocketPath(root)))) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`the supervisor service did not start on ${root} (see .ralph/service.log)`);
    await sleep(50);
  }
  return child.pid!;
}

/** The workspaces whose service this bench started and has not stopped yet. */
const running = new Set<string>();

function down(root: string): void {
  spawnSync(process.execPath, [cli, '--workspace', root, 'down'], { stdio: 'ignore', timeout: 60_000 });
  running.delete(root);
}

/** A bench interrupted (Ctrl-C, timeout) stops the services it started: they run detached, their agents stream on. */
let handlingInterrupts = false;
function stopOnInterrupt(): void {
  if (handlingInterrupts) return;
  handlingInterrupts = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => {
      for (const root of running) {
        down(root);
        fs.rmSync(root, { recursive: true, force: true });
      }
      process.exit(130);
    });
}

/** `ralph-tui down`: the service and its agents end (a screen's Ctrl-C only detaches it). */
export async function stopService(root: string, pid: number): Promise<void> {
  down(root);
  for (let waited = 0; alive(pid) && waited < 10_000; waited += 50) await sleep(50);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime of a process, in seconds (from /proc). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

export function rssBytes(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmHWM'): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

export const loadAverage = () => os.loadavg()[0].toFixed(1);
