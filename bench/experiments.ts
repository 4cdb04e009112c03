/**
 * `npm run bench:experiments`: what the experiment machinery costs on top of the estimator, and how
 * the thread pool scales. Figures go to docs/experiments.md.
 *  1. parseProgressLine throughput per output format;
 *  2. the estimate pool on 8 generated samples (seed 1) with the `fast` preset at 1..cores threads:
 *     wall, CPU-s/sample, speed-up, and whether the candidates are identical (they must be);
 *  3. the runner's overhead: start() → finished for a command that prints 100 protocol lines.
 */
import os from 'node:os';
import { applyOverrides, FAST_EXPERIMENT_CONFIG, parseExperimentConfig } from '../solver/experiment-config.js';
import { generateDataset } from '../solver/synthetic-dataset.js';
import { planSamples } from '../solver/parallel/schedule.js';
import { ExperimentRunner } from '../src/experiments/experiment-runner.js';
import { parseProgressLine } from '../src/experiments/output-line-parser.js';
import { solveDataset } from '../src/experiments/solve-dataset.js';

function benchParser(): void {
  const lines: Record<string, string> = {
    'JSON protocol':
      '{"type":"sample","done":12,"total":80,"sample_id":"sample_45","n_sources":2,"rmse":0.1834,"candidates":3,"seconds":1.9,"elapsed":14.2,"eta":80.5,"running_score":1.1712}',
    '[k/N] line': '[ 12/80] sample_45 2-src rmse=0.1834 cands=3 1.9s',
    'tqdm bar': 'Samples:  45%|████▌     | 36/80 [00:41<00:50,  1.14s/it]',
    'Progress: line': 'Progress: 20/80 samples',
    'other output': 'CMA-ES restart 3: sigma 0.12, best 0.2213',
  };
  console.log('parseProgressLine');
  for (const [label, line] of Object.entries(lines)) {
    let n = 0;
    const started = performance.now();
    while (performance.now() - started < 300) {
      for (let i = 0; i < 1000; i++) parseProgressLine(line);
      n += 1000;
    }
    console.log(`  ${label.padEnd(15)} ${(n / ((performance.now() - started) / 1000) / 1e6).toFixed(2)} M lines/s`);
  }
}

async function benchPool(): Promise<void> {
  const dataset = generateDataset({ samples: 8, seed: 1 });
  const config = applyOverrides(parseExperimentConfig(FAST_EXPERIMENT_CONFIG, 'fast'), []);
  const indices = planSamples(
    dataset.samples.map((s) => s.n_sources),
    { shuffle: true, seed: 0 },
  );
  console.log(
    `estimate pool, 8 generated samples (seed 1), fast preset, --shuffle, ${os.availableParallelism()} cores`,
  );
  let reference: string | undefined;
  let oneThread = 0;
  for (let workers = 1; workers <= os.availableParallelism(); workers++) {
    const result = await solveDataset({ dataset, config, indices, workers, seed: 0 });
    const candidates = JSON.stringify(result.outcomes.map((o) => o.candidates));
    reference ??= candidates;
    if (workers === 1) oneThread = result.wallSeconds;
    const score = result.outcomes.reduce((sum, o) => sum + o.score, 0) / result.outcomes.length;
    console.log(
      `  ${workers} thread${workers === 1 ? ' ' : 's'}  wall ${result.wallSeconds.toFixed(2)} s  CPU ${(result.cpuSeconds / 8).toFixed(2)} s/sample  speed-up ${(oneThread / result.wallSeconds).toFixed(2)}×  score ${score.toFixed(4)}  candidates ${candidates === reference ? 'identical' : 'DIFFER'}`,
    );
  }
}

async function benchRunner(): Promise<void> {
  const script =
    "for (let i = 1; i <= 100; i++) console.log(JSON.stringify({type:'sample',done:i,total:100,eta:100-i})); console.log(JSON.stringify({type:'end',score:1.2}))";
  const bare = performance.now();
  await new Promise<void>((resolve) => {
    import('node:child_process').then(({ spawn }) =>
      spawn(process.execPath, ['-e', script], { stdio: 'ignore' }).on('exit', () => resolve()),
    );
  });
  const bareMs = performance.now() - bare;
  const runner = new ExperimentRunner({ workspace: os.tmpdir(), logDir: `${os.tmpdir()}/ralph-bench-runs` });
  const started = performance.now();
  let snapshots = 0;
  await new Promise<void>((resolve) => {
    const id = runner.start({ name: 'bench', command: [process.execPath, '-e', script] });
    runner.subscribe(() => {
      snapshots++;
      if (runner.getSnapshot().find((v) => v.id === id)?.state === 'finished') resolve();
    });
  });
  const runnerMs = performance.now() - started;
  await runner.dispose();
  console.log(
    `runner: 100 protocol lines, start → finished ${runnerMs.toFixed(0)} ms (bare spawn ${bareMs.toFixed(0)} ms), ${snapshots} snapshots`,
  );
}

benchParser();
await benchPool();
await benchRunner();
