/**
 * bench:agents — the supervisor's own cost without the screen. N local fake agents
 * (test/fake-agents/chatty-agent.mjs) each print coloured, Claude-like output at ~200 KB/s through a real pty
 * into the supervisor's headless emulators, transcripts and Ralph-loop state tracking for `--seconds`.
 * Reported: the supervisor process's CPU (% of one core) and memory (RSS), bytes per second processed, and the
 * time from the agent's pty write to the emulator having parsed it (p50/p95/max; the agent stamps every write).
 *
 *   npm run bench:agents -- [--seconds 30] [--agents 4] [--rate 204800] [--json]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../src/config.js';
import { ralphBinDir } from '../src/supervisor/local-launch.js';
import { Supervisor } from '../src/supervisor/index.js';

interface Options {
  seconds: number;
  agents: number;
  rate: number;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string, fallback: number) => {
    const at = argv.indexOf(name);
    const parsed = at >= 0 ? Number(argv[at + 1]) : fallback;
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name}: expected a positive number`);
    return parsed;
  };
  return {
    seconds: value('--seconds', 30),
    agents: value('--agents', 4),
    rate: value('--rate', 204_800),
    json: argv.includes('--json'),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const MARKER = /\x1b\]777;ralph-ts;([\d.]+)\x07/g;

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const repoRoot = path.dirname(ralphBinDir());
  const agentScript = path.join(repoRoot, 'test', 'fake-agents', 'chatty-agent.mjs');
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-agents-'));
  const ids = Array.from({ length: options.agents }, (_, index) => `W${index + 1}`);
  const config = parseConfig({
    name: 'bench',
    runtime: 'local',
    agents: ids.map((id) => ({
      id,
      role: 'worker',
      kind: 'custom',
      command: `'${process.execPath}' '${agentScript}' --rate ${options.rate}`,
      prompt: 'off',
    })),
  });

  const supervisor = new Supervisor({ workspace, config, cols: 160, rows: 48 });
  const bytes = new Map<string, number>(ids.map((id) => [id, 0]));
  const latencies: number[] = [];
  let measuring = false;
  for (const id of ids) {
    supervisor.session(id).onOutput((chunk) => {
      if (!measuring) return;
      const now = performance.timeOrigin + performance.now();
      bytes.set(id, bytes.get(id)! + chunk.byteLength);
      // latin1 keeps byte offsets and is the cheapest decode; the marker is ASCII.
      for (const match of Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        .toString('latin1')
        .matchAll(MARKER)) {
        latencies.push(now - Number(match[1]));
      }
    });
  }

  await supervisor.start();
  // One second for the agents' Node processes to start before the window opens.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  measuring = true;
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
  measuring = false;
  clearInterval(sampler);
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  const states = supervisor.getSnapshot().agents.map((agent) => `${agent.id}:${agent.state}`);
  await supervisor.shutdown();
  const transcriptBytes = ids.reduce(
    (sum, id) => sum + fs.statSync(path.join(workspace, '.ralph', 'transcripts', `${id}.log`)).size,
    0,
  );
  fs.rmSync(workspace, { recursive: true, force: true });

  latencies.sort((a, b) => a - b);
  const totalBytes = [...bytes.values()].reduce((a, b) => a + b, 0);
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    agents: options.agents,
    targetRateBytesPerAgent: options.rate,
    seconds: Number(wallSeconds.toFixed(2)),
    supervisorCpuPercentOfOneCore: Number((((cpu.user + cpu.system) / 1e6 / wallSeconds) * 100).toFixed(1)),
    rssMB: Number((rss / 2 ** 20).toFixed(1)),
    peakRssMB: Number((peakRss / 2 ** 20).toFixed(1)),
    bytesPerSecond: Math.round(totalBytes / wallSeconds),
    bytesPerSecondPerAgent: Object.fromEntries(ids.map((id) => [id, Math.round(bytes.get(id)! / wallSeconds)])),
    transcriptBytes,
    latencyMs: {
      samples: latencies.length,
      p50: Number(percentile(latencies, 50).toFixed(2)),
      p95: Number(percentile(latencies, 95).toFixed(2)),
      max: Number((latencies[latencies.length - 1] ?? Number.NaN).toFixed(2)),
    },
    finalStates: states,
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB/s`;
  process.stdout.write(
    [
      `bench:agents — ${result.agents} local fake agents × ${kb(options.rate)} for ${result.seconds} s (Node ${result.node}, ${result.cpus} CPUs)`,
      `  supervisor CPU          ${result.supervisorCpuPercentOfOneCore} % of one core`,
      `  supervisor RSS          ${result.rssMB} MB (peak ${result.peakRssMB} MB)`,
      `  bytes processed         ${kb(result.bytesPerSecond)} total (${Object.entries(result.bytesPerSecondPerAgent)
        .map(([id, rate]) => `${id} ${kb(rate)}`)
        .join(', ')})`,
      `  write → parsed latency  p50 ${result.latencyMs.p50} ms, p95 ${result.latencyMs.p95} ms, max ${result.latencyMs.max} ms (${result.latencyMs.samples} samples)`,
      `  transcripts             ${(transcriptBytes / 2 ** 20).toFixed(1)} MB written`,
      '',
    ].join('\n'),
  );
}

main().catch((error) => {
  process.stderr.write(`bench:agents failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
