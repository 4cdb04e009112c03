/**
 * bench:workspace — the default workspace end to end (the aim: ≥ 3 experiments in 10 min on 2 cores):
 * a fresh `init` (built-in agents sized to this machine, the default 8-sample synthetic dataset),
 * `ralph-tui up --headless` for `--seconds`, then a graceful STOP. Reported: time to the first completed
 * experiment, experiments completed, mean minutes between completions, the best in-budget score over time, how
 * long the graceful stop took, and whether every file was left consistent (nothing claimed, one log entry per
 * completed experiment).
 *
 *   npm run bench:workspace -- [--seconds 300] [--samples 8] [--json]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { createStop, parseLogEntries, readCoordination, readQueue } from '../orchestration/index.js';
import { DEFAULT_SAMPLES, initWorkspace } from '../src/init/init-workspace.js';
import { ralphBinDir } from '../src/supervisor/local-launch.js';

function option(argv: string[], name: string, fallback: number): number {
  const at = argv.indexOf(name);
  const value = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number`);
  return value;
}

async function main(argv: string[]): Promise<void> {
  const seconds = option(argv, '--seconds', 300);
  const samples = option(argv, '--samples', DEFAULT_SAMPLES);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ralph-bench-workspace-'));
  try {
    const report = await initWorkspace(root, { samples });
    const workers = report.config.agents.filter((agent) => agent.role === 'worker').length;
    const started = Date.now();
    const up = execa(
      process.execPath,
      [path.join(ralphBinDir(), 'ralph-tui.js'), '--workspace', root, 'up', '--headless'],
      { reject: false, stdin: 'ignore', env: { CI: 'false' } },
    );
    const completions: { at: number; name: string; score: number; best: number | null }[] = [];
    const seen = new Set<string>();
    while (Date.now() - started < seconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      for (const entry of readQueue(root).entries) {
        if (entry.status !== 'completed' || seen.has(entry.id)) continue;
        seen.add(entry.id);
        completions.push({
          at: (Date.now() - started) / 1000,
          name: entry.name,
          score: entry.score ?? Number.NaN,
          best: readCoordination(root).best?.score ?? null,
        });
      }
    }
    const stopAt = Date.now();
    await createStop(root, 'bench:workspace done');
    await up;
    const stopSeconds = (Date.now() - stopAt) / 1000;

    const entries = readQueue(root).entries;
    const completed = entries.filter((entry) => entry.status === 'completed');
    const stale = entries.filter((entry) => entry.status === 'claimed' || entry.status === 'running').length;
    const logged = parseLogEntries(fs.readFileSync(path.join(root, 'ITERATION_LOG.md'), 'utf8')).length;
    const gaps = completions.slice(1).map((c, i) => c.at - completions[i].at);
    const result = {
      cpus: os.availableParallelism(),
      workers,
      samples,
      seconds,
      first_completed_s: completions[0]?.at ?? null,
      experiments_completed: completed.length,
      mean_s_between_completions: gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null,
      best_score: readCoordination(root).best?.score ?? null,
      best_over_time: completions.map((c) => [Math.round(c.at), c.best]),
      graceful_stop_s: stopSeconds,
      left_claimed: stale,
      log_entries: logged,
      up_exit_code: (await up).exitCode,
    };
    if (argv.includes('--json')) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    const fmt = (value: number | null, digits: number) => (value === null ? 'n/a' : value.toFixed(digits));
    process.stdout.write(
      [
        `bench:workspace — default workspace, ${result.cpus} CPUs → W0 + ${workers} worker(s), ${samples}-sample dataset, ${seconds} s`,
        `  first experiment completed after   ${fmt(result.first_completed_s, 1)} s`,
        `  experiments completed              ${result.experiments_completed}`,
        `  mean time between completions      ${fmt(result.mean_s_between_completions, 1)} s`,
        `  best in-budget score               ${fmt(result.best_score, 4)}`,
        `  best over time (s, score)          ${result.best_over_time.map(([t, b]) => `${t}:${fmt(b as number | null, 4)}`).join(' ')}`,
        `  graceful stop (STOP → all exited)  ${fmt(stopSeconds, 1)} s   (up exit code ${result.up_exit_code})`,
        `  left claimed / log entries         ${stale} / ${logged} (completed ${completed.length})`,
        '',
      ].join('\n'),
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

await main(process.argv.slice(2));
