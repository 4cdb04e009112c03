import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { RunProgressFile } from '../../orchestration/run-status.js';
import { ExperimentRunner, type ExperimentRunView } from '../../src/experiments/experiment-runner.js';
import { FAST_EXPERIMENT_CONFIG } from '../../solver/experiment-config.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { runInterruptedAfterFirstSample } from './interrupted-run.js';
import { cliPath, fixturesDir, makeTempDir, repoRoot, runCli } from '../helpers/cli.js';

/** A workspace with a 2-sample dataset and `tiny` (the fast preset): a run takes a second or two. */
function makeWorkspace(): string {
  const root = makeTempDir('ralph-status-');
  const dataset = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'synthetic-6.json'), 'utf8')) as {
    samples: unknown[];
  };
  fs.mkdirSync(path.join(root, 'data'));
  fs.writeFileSync(
    path.join(root, 'data', 'synthetic.json'),
    JSON.stringify({ ...dataset, samples: dataset.samples.slice(0, 2) }),
  );
  addExperiment(root, 'tiny', { config: FAST_EXPERIMENT_CONFIG });
  return root;
}

function addExperiment(root: string, name: string, body: Record<string, unknown>): void {
  fs.mkdirSync(path.join(root, 'experiments', name), { recursive: true });
  fs.writeFileSync(path.join(root, 'experiments', name, 'experiment.json'), JSON.stringify({ name, ...body }));
}

function statusFiles(root: string): RunProgressFile[] {
  const dir = workspacePaths(root).progress;
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => v.parse(RunProgressFile, JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'))));
}

/** Every state the status files showed while `child` ran (read every 20 ms; atomic writes, so always parseable). */
async function statesWhile(read: () => RunProgressFile[], child: Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  let running = true;
  void child.finally(() => (running = false));
  while (running) {
    for (const file of read()) if (seen.at(-1) !== file.state) seen.push(file.state);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return seen;
}

describe('the live status file of `ralph-tui run` (.ralph/progress/<run-id>.json)', () => {
  it('goes running → finished with the score, the worker, this host and pid, done/total and the projection; week-old files are pruned', async () => {
    const root = makeWorkspace();
    // Files of runs that ended long ago are pruned when a run starts; recent ones stay.
    const progress = workspacePaths(root).progress;
    fs.mkdirSync(progress, { recursive: true });
    for (const [name, days] of [
      ['week-old', 8],
      ['recent', 2],
    ] as const) {
      const file = path.join(progress, `${name}.json`);
      const at = new Date(Date.now() - days * 24 * 3600_000).toISOString();
      fs.writeFileSync(
        file,
        JSON.stringify({
          run_id: name,
          name: 'old',
          pid: 1,
          host: 'h',
          state: 'finished',
          done: 1,
          total: 1,
          elapsed: 1,
          started_at: at,
          updated_at: at,
        }),
      );
      const when = new Date(Date.now() - days * 24 * 3600_000);
      fs.utimesSync(file, when, when);
    }
    const child = execa(
      process.execPath,
      [cliPath, '--workspace', root, 'run', 'tiny', '--workers', '1', '--progress', 'json'],
      { reject: false, env: { FORCE_COLOR: '0', RALPH_AGENT_ID: 'W3' } },
    );
    const ours = () => statusFiles(root).filter((file) => file.name === 'tiny');
    const seen = await statesWhile(ours, child);
    const done = await child;
    expect(done.exitCode).toBe(0);
    expect(seen[0]).toBe('running');
    const [file, ...others] = ours();
    expect(others).toEqual([]);
    expect(statusFiles(root).map((f) => f.run_id)).toContain('recent');
    expect(statusFiles(root).map((f) => f.run_id)).not.toContain('week-old');
    const end = JSON.parse(String(done.stdout).trim().split('\n').at(-1)!);
    expect(file).toMatchObject({
      name: 'tiny',
      worker: 'W3',
      pid: child.pid,
      host: os.hostname(),
      pid_ns: fs.readlinkSync('/proc/self/ns/pid'),
      state: 'finished',
      done: 2,
      total: 2,
      score: end.score,
      against: 'Y',
      workers: 1,
      result_file: end.result_file,
      eta: null,
    });
    expect(file.projected_400_samples_min).toBeCloseTo(end.projected_400_samples_min, 1);
    expect(path.basename(file.result_file!, '.json')).toBe(file.run_id); // named like the result file
    expect(Date.parse(file.updated_at)).toBeGreaterThanOrEqual(Date.parse(file.started_at));
  }, 60_000);

  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129], // the agent pane it ran in closed
  ] as const)(
    'on %s mid-run ends as cancelled with the samples done so far, never left running (exit %i)',
    async (signal, code) => {
      const root = makeWorkspace();
      const done = await runInterruptedAfterFirstSample(root, signal);
      expect(done.exitCode).toBe(code);
      const [file] = statusFiles(root);
      expect(file).toMatchObject({ name: 'baseline', state: 'cancelled', total: 2 });
      expect(file.done).toBeGreaterThanOrEqual(1);
      expect(file).not.toHaveProperty('worker');
    },
    60_000,
  );

  it('an experiment.json command gets a status file from its own output: [k/N] lines and the final score, or a failure with the last lines', async () => {
    const root = makeWorkspace();
    const script = path.join(root, 'old_run.js');
    fs.writeFileSync(
      script,
      `for (const k of [1, 2, 3]) console.log('[ ' + k + '/3] sample_' + k + ' 1-src rmse=0.0100 cands=3 0.1s');\n` +
        `console.log('Submission Score: 1.1362');\nconsole.log('Projected (400): 39.0 min');\n`,
    );
    addExperiment(root, 'legacy', { command: `node ${script}` });
    addExperiment(root, 'broken', {
      command: `node -e "console.log('[ 1/4] sample_0'); console.error('Traceback (most recent call last):'); console.error('ValueError: bad sigma'); process.exit(3)"`,
    });

    const ok = await runCli(['--workspace', root, 'run', 'legacy'], { env: { RALPH_RUN_ID: 'legacy-from-screen' } });
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toContain('Submission Score: 1.1362'); // still passed through
    const bad = await runCli(['--workspace', root, 'run', 'broken', '--log', 'W2']);
    expect(bad.exitCode).toBe(3);
    expect(bad.stderr).toContain('ValueError: bad sigma');

    const files = new Map(statusFiles(root).map((file) => [file.name, file]));
    // RALPH_RUN_ID (set by the screen's runner) names the file, so the screen shows the run once.
    expect(files.get('legacy')).toMatchObject({
      run_id: 'legacy-from-screen',
      state: 'finished',
      done: 3,
      total: 3,
      score: 1.1362,
      projected_400_samples_min: 39,
      exit_code: 0,
    });
    expect(files.get('broken')).toMatchObject({ state: 'failed', worker: 'W2', done: 1, total: 4, exit_code: 3 });
    expect(files.get('broken')!.last_lines.slice(-2)).toEqual([
      'Traceback (most recent call last):',
      'ValueError: bad sigma',
    ]);
  }, 60_000);

  it.each([
    ['throw', 'failed', 1],
    ['process.exit(143)', 'cancelled', 143],
  ] as const)(
    'a process that ends without finishing its run (%s) leaves it %s, not running',
    async (how, state, code) => {
      const root = makeTempDir('ralph-status-');
      const module = path.join(repoRoot, 'dist', 'src', 'experiments', 'run-status-writer.js');
      const script = `import { RunStatusFile } from ${JSON.stringify(module)};
      const status = new RunStatusFile({ root: ${JSON.stringify(root)}, runId: 'crash', name: 'crashing' });
      await status.start();
      status.apply({ type: 'progress', done: 1, total: 5 });
      ${how === 'throw' ? "throw new Error('worker thread crashed')" : how};`;
      const child = await execa(process.execPath, ['--input-type=module', '-e', script], { reject: false });
      expect(child.exitCode).toBe(code);
      expect(statusFiles(root)).toEqual([
        expect.objectContaining({ run_id: 'crash', state, done: 1, total: 5, exit_code: code }),
      ]);
    },
  );

  it("a run the screen's runner starts writes its status file under the runner's id", async () => {
    const root = makeWorkspace();
    const runner = new ExperimentRunner({ workspace: root });
    try {
      const id = runner.startBuiltin('tiny', { workers: 1 });
      const view = await new Promise<ExperimentRunView>((resolve) => {
        const check = () => {
          const run = runner.getSnapshot().find((candidate) => candidate.id === id);
          if (run && run.state !== 'running' && run.state !== 'queued') resolve(run);
        };
        runner.subscribe(check);
        check();
      });
      expect(view.state).toBe('finished');
      expect(statusFiles(root)).toEqual([
        expect.objectContaining({ run_id: id, state: 'finished', score: view.score }),
      ]);
    } finally {
      await runner.dispose();
    }
  }, 60_000);
});
