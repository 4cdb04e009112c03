/**
 * `npm run bench:protocol`: what the shared-file protocol costs, so its targets are checked by
 * measurement rather than assumed. Figures go to
 * docs/protocol.md.
 *  1. tail of a 1 GB ITERATION_LOG.md (generated in /tmp, deleted after): target ≤ 50 ms;
 *  2. following: the LogFollower's cost per appended entry (target ≤ 1 ms), and the event latency
 *     from append to delivered line;
 *  3. claim/complete throughput on an 800-entry queue: one process, and 8 processes at once
 *     (the lock serialises them; what matters is that they all progress);
 *  4. the agents' CLI calls (status, queue list/add/claim/complete, log append/tail), each process timed
 *     beside `node -e ''` in the same run (target ≤ 100 ms wall each), and several workers cycling
 *     claim → complete through the CLI at once.
 * Options: --log-mb N (default 1024), --cycles N (single-process cycles, default 200),
 * --procs N and --proc-cycles N (default 8 × 25), --cli-runs N (default 9), --cli-workers N and
 * --cli-cycles N (default 4 × 50); --only cli skips 1–3.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addExperiments,
  claimNext,
  completeExperiment,
  formatLogEntry,
  LogFollower,
  parseLogEntries,
  tailLines,
} from '../orchestration/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cliPath = path.resolve(here, '..', '..', 'bin', 'ralph-tui.js');

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

function entryText(i: number): string {
  return formatLogEntry({
    worker: `W${(i % 4) + 1}`,
    experiment: `experiment_${i}`,
    score: 1 + (i % 1000) / 10_000,
    timeMin: 40 + (i % 30),
    config: { sigma0_1src: 0.18, refine_maxiter: 8 },
    result: 'FAILED - slower than baseline',
    finding: 'More polish iterations overfit the coarse grid; keep 8.',
  });
}

async function benchTail(dir: string, sizeMb: number): Promise<void> {
  const file = path.join(dir, 'ITERATION_LOG.md');
  let block = '';
  for (let i = 0; block.length < 1 << 20; i++) block += entryText(i);
  const buffer = Buffer.from(block);
  const fd = fs.openSync(file, 'w');
  const started = performance.now();
  for (let written = 0; written < sizeMb * (1 << 20); written += buffer.length) fs.writeSync(fd, buffer);
  fs.closeSync(fd);
  const size = fs.statSync(file).size;
  console.log(
    `log tail (${(size / (1 << 30)).toFixed(2)} GB file, written in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  for (const n of [20, 400, 5000]) {
    const times: number[] = [];
    for (let run = 0; run < 7; run++) {
      const t = performance.now();
      const lines = await tailLines(file, n);
      times.push(performance.now() - t);
      if (lines.length !== n) throw new Error(`tail returned ${lines.length} lines`);
    }
    console.log(`  last ${String(n).padStart(4)} lines       median ${ms(median(times))}   (target ≤ 50 ms)`);
  }
  const t = performance.now();
  const entries = parseLogEntries((await tailLines(file, 400)).join('\n'));
  console.log(`  last 400 lines + parse ${ms(performance.now() - t)} (${entries.length} entries)`);
  fs.rmSync(file);
}

async function benchFollow(dir: string): Promise<void> {
  const file = path.join(dir, 'follow.md');
  fs.writeFileSync(file, entryText(0).repeat(1000));
  const follower = new LogFollower(file);
  let received = 0;
  let resolveLine: (() => void) | null = null;
  follower.onLines((lines) => {
    received += lines.length;
    resolveLine?.();
  });
  await follower.start();
  // Cost: append one entry, then let the follower read it (its check() is what every event runs).
  const N = 1000;
  const costs: number[] = [];
  for (let i = 0; i < N; i++) {
    fs.appendFileSync(file, entryText(i));
    const t = performance.now();
    await follower.check();
    costs.push(performance.now() - t);
  }
  const perEntry = costs.reduce((a, b) => a + b, 0) / N;
  // Latency: append, wait for the fs.watch event to deliver the lines.
  const latencies: number[] = [];
  for (let i = 0; i < 50; i++) {
    const delivered = new Promise<void>((resolve) => (resolveLine = resolve));
    const t = performance.now();
    fs.appendFileSync(file, entryText(i));
    await delivered;
    latencies.push(performance.now() - t);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await follower.close();
  console.log('log follow (file already 1,000 entries long)');
  console.log(
    `  cost per appended entry  mean ${ms(perEntry)}, median ${ms(median(costs))}   (target ≤ 1 ms; ${received} lines delivered)`,
  );
  console.log(`  append → line delivered  median ${ms(median(latencies))}, max ${ms(Math.max(...latencies))}`);
}

async function makeQueue(dir: string, name: string, entries: number): Promise<string> {
  const root = path.join(dir, name);
  fs.mkdirSync(path.join(root, 'orchestration', 'shared'), { recursive: true });
  await addExperiments(
    root,
    Array.from({ length: entries }, (_, i) => ({
      name: `exp_${i}`,
      family: `family_${i % 7}`,
      priority: 1 + (i % 5),
      description: 'Test a variation of the polish budget.',
      hypothesis: 'Fewer iterations save time at equal accuracy.',
    })),
  );
  return root;
}

async function cycles(root: string, worker: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const entry = await claimNext(root, worker);
    await completeExperiment(root, entry.id, {
      worker,
      score: 1 + i / 1e4,
      timeMin: 55,
      inBudget: true,
      result: 'SUCCESS',
    });
  }
}

async function benchThroughput(dir: string): Promise<void> {
  const single = arg('cycles', 200);
  const root = await makeQueue(dir, 'single', 800);
  const t = performance.now();
  await cycles(root, 'W1', single);
  const singleMs = performance.now() - t;
  console.log('claim/complete on an 800-entry queue (queue + coordination rewritten, locked, fsync’d)');
  console.log(
    `  1 process:  ${single} cycles in ${(singleMs / 1000).toFixed(1)} s = ${(single / (singleMs / 1000)).toFixed(1)} cycles/s (${ms(singleMs / single)} per cycle)`,
  );

  const procs = arg('procs', 8);
  const perProc = arg('proc-cycles', 25);
  const shared = await makeQueue(dir, 'shared', 800);
  const started = performance.now();
  await Promise.all(
    Array.from(
      { length: procs },
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            [fileURLToPath(import.meta.url), 'child', shared, `W${i + 1}`, String(perProc)],
            { stdio: 'inherit' },
          );
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child exited ${code}`))));
        }),
    ),
  );
  const wall = performance.now() - started;
  const total = procs * perProc;
  console.log(
    `  ${procs} processes: ${total} cycles in ${(wall / 1000).toFixed(1)} s = ${(total / (wall / 1000)).toFixed(1)} cycles/s (process start included)`,
  );
}

const minMedMax = (values: number[]) =>
  `${ms(Math.min(...values))} / ${ms(median(values))} / ${ms(Math.max(...values))}`;

/** CPU ms of this process's waited-for children so far (/proc/self/stat cutime + cstime; 10 ms ticks). */
function childrenCpuMs(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Wall and CPU time of one process run to its exit (start-up included); throws with its stderr when it fails. */
function timeOf(args: string[]): { wall: number; cpu: number } {
  const cpu0 = childrenCpuMs();
  const t = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const wall = performance.now() - t;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { wall, cpu: childrenCpuMs() - cpu0 };
}

/**
 * The agents' CLI calls, each timed as a whole process (start-up included) next to `node -e ''`: every
 * run times the baseline and then the command, so a busy machine slows both alike.
 */
function benchCliCalls(root: string): void {
  const runs = arg('cli-runs', 9);
  const cli = (...args: string[]) => [cliPath, '--workspace', root, ...args];
  const calls: Array<[string, (run: number) => string[]]> = [
    ['status', () => cli('status')],
    ['queue list', () => cli('queue', 'list')],
    ['queue add', (run) => cli('queue', 'add', '--name', `cli_bench_${run}`, '--priority', '0')],
    ['queue claim', (run) => cli('queue', 'claim', '--worker', `W${run + 1}`, '--json')],
    [
      'queue complete',
      (run) =>
        cli(
          'queue',
          'complete',
          `EXP_CLI_BENCH_${run}_001`,
          '--worker',
          `W${run + 1}`,
          '--score',
          '1.1',
          '--time',
          '50',
        ),
    ],
    [
      'log append',
      (run) =>
        cli(
          'log',
          'append',
          '--worker',
          'W1',
          '--experiment',
          `cli_bench_${run}`,
          '--score',
          '1.1',
          '--time',
          '50',
          '--result',
          'SUCCESS',
        ),
    ],
    ['log tail', () => cli('log', 'tail', '-n', '20')],
  ];
  const times = new Map(
    calls.map(([name]) => [
      name,
      { command: [] as number[], node: [] as number[], commandCpu: [] as number[], nodeCpu: [] as number[] },
    ]),
  );
  for (let run = 0; run < runs; run++) {
    for (const [name, args] of calls) {
      const entry = times.get(name)!;
      const node = timeOf(['-e', '']);
      const command = timeOf(args(run));
      entry.node.push(node.wall);
      entry.nodeCpu.push(node.cpu);
      entry.command.push(command.wall);
      entry.commandCpu.push(command.cpu);
    }
  }
  console.log(
    `agent CLI calls, wall per process (start-up included), ${runs} runs each, min / median / max; target ≤ 100 ms; CPU median (10 ms ticks)`,
  );
  for (const [name, { command, node, commandCpu, nodeCpu }] of times) {
    const verdict = median(command) <= 100 ? 'met' : 'missed';
    console.log(
      `  ${name.padEnd(15)} ${minMedMax(command).padEnd(28)} node -e '' ${minMedMax(node).padEnd(28)} +${ms(median(command) - median(node))}  ${verdict}   CPU ${median(commandCpu)} ms (node -e '' ${median(nodeCpu)} ms)`,
    );
  }
}

/** Several agents cycling `queue claim` → `queue complete` through the CLI at once, as workers do. */
async function benchCliCycles(dir: string): Promise<void> {
  const workers = arg('cli-workers', 4);
  const perWorker = arg('cli-cycles', 50);
  const root = await makeQueue(dir, 'cli-cycles', workers * perWorker + 50);
  const run = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [cliPath, '--workspace', root, ...args], (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      );
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; i < perWorker; i++) {
        const entry = JSON.parse(await run(['queue', 'claim', '--worker', `W${w + 1}`, '--json'])) as { id: string };
        await run([
          'queue',
          'complete',
          entry.id,
          '--worker',
          `W${w + 1}`,
          '--score',
          String(1 + i / 1e4),
          '--time',
          '55',
        ]);
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  const calls = workers * perWorker * 2;
  console.log(
    `  ${workers} workers × ${perWorker} claim → complete through the CLI at once: ${wall.toFixed(1)} s (${calls} calls, ${((wall * 1000) / calls).toFixed(0)} ms of wall per call)`,
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === 'child') {
    const [root, worker, count] = process.argv.slice(3);
    await cycles(root, worker, Number(count));
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'protocol-bench-'));
  try {
    console.log(
      `bench:protocol — ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}, ${new Date().toISOString()}`,
    );
    const only = process.argv.indexOf('--only') >= 0 ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
    if (only !== 'cli') {
      await benchTail(dir, arg('log-mb', 1024));
      await benchFollow(dir);
      await benchThroughput(dir);
    }
    benchCliCalls(await makeQueue(dir, 'cli', 50));
    await benchCliCycles(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
