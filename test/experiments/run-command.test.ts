import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { ExperimentRunner, type ExperimentRunView } from '../../src/experiments/experiment-runner.js';
import { listExperiments } from '../../src/experiments/experiment-definition.js';
import { ProgressLine } from '../../src/experiments/json-progress-lines.js';
import { runInterruptedAfterFirstSample } from './interrupted-run.js';
import { cliPath, fixturesDir, makeTempDir, runCli } from '../helpers/cli.js';

const dataset = path.join(fixturesDir, 'synthetic-6.json');
// Small budgets so a 3-sample run takes a couple of seconds on 2 shared cores.
const fastSet = [
  '--set',
  'fevals1=40',
  '--set',
  'fevals2=80',
  '--set',
  'starts1=1',
  '--set',
  'starts2=1',
  '--set',
  'altStarts=1',
];

/** A workspace holding the 6-sample fixture as data/synthetic.json and one experiment, `tiny`. */
function makeWorkspace(): string {
  const root = makeTempDir('ralph-run-');
  fs.mkdirSync(path.join(root, 'data'));
  fs.copyFileSync(dataset, path.join(root, 'data', 'synthetic.json'));
  fs.mkdirSync(path.join(root, 'experiments', 'tiny'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'experiments', 'tiny', 'experiment.json'),
    JSON.stringify({
      name: 'tiny',
      description: 'a quick check',
      config: { polishTopK: 1, polishEvals1: 10, polishEvals2: 20 },
      hypothesis: 'kept as is',
    }),
  );
  return root;
}

/** `ralph-tui --workspace ROOT run tiny OPTIONS`. */
const runTiny = (root: string, ...options: string[]) => runCli(['--workspace', root, 'run', 'tiny', ...options]);

const numpy = await execa('/usr/bin/python3', ['-c', 'import numpy'], { reject: false }).then(
  (r) => r.exitCode === 0,
  () => false,
);
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const resultFiles = (root: string, name: string) => {
  const dir = path.join(root, 'experiments', name, 'results');
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((file) => path.join(dir, file)) : [];
};

describe('ralph-tui run', () => {
  it('runs an experiment end to end: JSON progress, result file, STATE.json tuning run, MLflow run, ITERATION_LOG entry', async () => {
    const root = makeWorkspace();
    const { exitCode, stdout, stderr } = await runTiny(
      root,
      '--workers',
      '2',
      '--max-samples',
      '3',
      '--progress',
      'json',
      '--log',
      'W1',
      ...fastSet,
    );
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);

    // Every stdout line is a protocol object: start, one per sample, end.
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => ProgressLine.parse(JSON.parse(line)));
    expect(lines.map((l) => l.type)).toEqual(['start', 'sample', 'sample', 'sample', 'end']);
    expect(lines[0]).toMatchObject({ name: 'tiny', total: 3, workers: 2 });
    expect(lines.filter((l) => l.type === 'sample').map((l) => l.type === 'sample' && l.done)).toEqual([1, 2, 3]);
    const end = lines[4].type === 'end' ? lines[4] : undefined;
    expect(end).toMatchObject({ against: 'Y', workers: 2, in_budget: true });
    expect(end!.score).toBeGreaterThan(1);

    const [resultFile, ...others] = resultFiles(root, 'tiny');
    expect(others).toEqual([]);
    expect(path.relative(root, resultFile)).toBe(end!.result_file);
    const result = readJson(resultFile);
    expect(result).toMatchObject({
      experiment: 'tiny',
      n_samples: 3,
      n_planned: 3,
      workers: 2,
      against: 'Y',
      incomplete: false,
      score: end!.score,
    });
    expect(result.config).toMatchObject({ polishTopK: 1, fevals1: 40, fevals2: 80 });
    expect(result.samples.map((s: { sample_id: string }) => s.sample_id)).toEqual(['sample_0', 'sample_1', 'sample_2']);
    for (const sample of result.samples) {
      expect(sample.candidates.length).toBeGreaterThanOrEqual(1);
      expect(sample.candidates[0]).toHaveLength(sample.n_sources);
      expect(sample.simulations).toBeGreaterThan(0);
    }
    expect(result.rmse_1src).toBeTypeOf('number');
    expect(result.rmse_2src).toBeTypeOf('number');
    expect(result.projected_400_samples_min).toBeCloseTo((result.wall_seconds / 3) * (400 / 60), 9);
    expect(result.cpu_seconds_per_sample).toBeGreaterThan(0);
    // The budget (60 min for 400 samples on 7 workers) is checked on CPU time, which contention does not inflate.
    expect(result.projected_400_cpu_at_budget_workers_min).toBeCloseTo(
      (result.cpu_seconds_per_sample * 400) / 7 / 60,
      9,
    );

    const state = readJson(path.join(root, 'experiments', 'tiny', 'STATE.json'));
    expect(state.tuning_runs).toHaveLength(1);
    expect(state.tuning_runs[0]).toMatchObject({
      run: 1,
      run_id: result.run_id,
      score: result.score,
      time_min: result.projected_400_cpu_at_budget_workers_min,
      in_budget: true,
      result_file: end!.result_file,
    });

    // Every folder but .trash (deleted experiments, made with a new store as MLflow does) is an experiment.
    const experimentDir = fs
      .readdirSync(path.join(root, 'mlruns'))
      .filter((id) => id !== '.trash')
      .find(
        (id) =>
          YAML.parse(fs.readFileSync(path.join(root, 'mlruns', id, 'meta.yaml'), 'utf8')).name ===
          'heat-signature-zero',
      )!;
    const runs = fs.readdirSync(path.join(root, 'mlruns', experimentDir)).filter((name) => name !== 'meta.yaml');
    expect(runs).toHaveLength(1);
    const runDir = path.join(root, 'mlruns', experimentDir, runs[0]);
    expect(YAML.parse(fs.readFileSync(path.join(runDir, 'meta.yaml'), 'utf8'))).toMatchObject({
      status: 3,
      run_id: runs[0],
    });
    expect(fs.readdirSync(path.join(runDir, 'metrics')).sort()).toEqual(
      [
        'cpu_seconds_per_sample',
        'projected_400_samples_min',
        'rmse_1src',
        'rmse_2src',
        'rmse_mean',
        'submission_score',
        'total_time_sec',
      ].sort(),
    );
    expect(fs.readFileSync(path.join(runDir, 'metrics', 'submission_score'), 'utf8')).toMatch(
      new RegExp(`^\\d+ ${result.score} 0\\n$`),
    );
    expect(fs.readFileSync(path.join(runDir, 'params', 'fevals1'), 'utf8')).toBe('40');
    expect(readJson(path.join(runDir, 'artifacts', 'result.json'))).toEqual(result);

    const log = fs.readFileSync(path.join(root, 'ITERATION_LOG.md'), 'utf8');
    expect(log).toContain(`### [W1] Experiment: tiny | Score: ${result.score.toFixed(4)}`);
  });

  it('gives the same candidates whatever the worker count (per-sample seeds), and prints human lines by default', async () => {
    const root = makeWorkspace();
    const one = await runTiny(root, '--workers', '1', '--max-samples', '3', '--seed', '7', ...fastSet);
    const two = await runTiny(root, '--workers', '2', '--max-samples', '3', '--seed', '7', ...fastSet);
    expect([one.exitCode, two.exitCode]).toEqual([0, 0]);
    expect(one.stdout).toMatch(/^\[ {2}\d\/3\] sample_\d 1-src rmse=\d\.\d{4} cands=\d \d+\.\ds$/m);
    expect(one.stdout).toMatch(/^Submission Score: \d\.\d{4} \(against clean Y, 3 samples\)$/m);
    expect(one.stdout).toMatch(/^Projected \(400\): \d+\.\d min/m);
    const [a, b] = resultFiles(root, 'tiny')
      .map(readJson)
      .sort((x, y) => x.workers - y.workers);
    expect([a.workers, b.workers]).toEqual([1, 2]);
    expect(b.samples.map((s: { candidates: unknown }) => s.candidates)).toEqual(
      a.samples.map((s: { candidates: unknown }) => s.candidates),
    );
    expect(readJson(path.join(root, 'experiments', 'tiny', 'STATE.json')).tuning_runs).toHaveLength(2);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    'on %s mid-run stops the threads, writes an incomplete result, and exits %i leaving every file parseable',
    async (signal, code) => {
      const root = makeWorkspace();
      const done = await runInterruptedAfterFirstSample(root, signal);
      expect(done.exitCode).toBe(code);
      const lines = String(done.stdout)
        .trim()
        .split('\n')
        .map((line) => ProgressLine.parse(JSON.parse(line)));
      const end = lines.at(-1)!;
      expect(end).toMatchObject({ type: 'end', incomplete: true });
      const [resultFile, ...others] = resultFiles(root, 'baseline');
      expect(others).toEqual([]);
      const result = readJson(resultFile);
      expect(result.incomplete).toBe(true);
      expect(result.n_planned).toBe(6);
      expect(result.n_samples).toBeGreaterThanOrEqual(1);
      expect(result.n_samples).toBeLessThan(6);
      expect(result.samples).toHaveLength(result.n_samples);
      // A partial score is not a tuning run; MLflow records the run as KILLED.
      expect(fs.existsSync(path.join(root, 'experiments', 'baseline', 'STATE.json'))).toBe(false);
      const mlrunsFiles = fs.readdirSync(path.join(root, 'mlruns'), { recursive: true, encoding: 'utf8' });
      const runMeta = mlrunsFiles.filter((file) => /^\d+\/[0-9a-f]{32}\/meta\.yaml$/.test(file));
      expect(runMeta).toHaveLength(1);
      expect(YAML.parse(fs.readFileSync(path.join(root, 'mlruns', runMeta[0]), 'utf8')).status).toBe(5);
      // No temporary or staging files anywhere.
      const all = fs.readdirSync(root, { recursive: true, encoding: 'utf8' });
      expect(all.filter((file) => /staging|\.tmp|~$/.test(file))).toEqual([]);
    },
  );

  it.each([
    [
      ['run', 'nope'],
      /^ralph-tui: no experiment "nope": expected experiments\/nope\/experiment\.json, an experiments\.commands entry in ralph\.config\.json, or a built-in \(known: tiny, baseline, fast\)$/,
    ],
    [['run', 'tiny', '--set', 'fevals9=3'], /^ralph-tui: --set fevals9=3: unknown experiment config key "fevals9"/],
    [['run', 'tiny', '--set', 'sigma0=-1'], /^ralph-tui: --set: field sigma0: /],
    [['run', 'tiny', '--data', 'missing.json'], /^ralph-tui: .*missing\.json: no such dataset file$/],
    [['run', 'tiny', '--data', 'experiments/tiny/experiment.json'], /^ralph-tui: .*experiment\.json: field samples: /],
    [['run', 'tiny', '--workers', '0'], /^ralph-tui: --workers must be a whole number ≥ 1, got "0"$/],
    [['run', 'tiny', '--progress', 'xml'], /^ralph-tui: --progress must be "human" or "json", got "xml"$/],
  ])('bad input %j → one clear sentence, exit 2, nothing written', async (args, message) => {
    const root = makeWorkspace();
    const { exitCode, stderr, stdout } = await runCli(['--workspace', root, ...args], { cwd: root });
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(fs.existsSync(path.join(root, 'mlruns'))).toBe(false);
    expect(resultFiles(root, 'tiny')).toEqual([]);
  });

  it('layers the config: ralph.config.json experiments.base, then experiment.json, then --set; takes dataset and workers from ralph.config.json', async () => {
    const root = makeWorkspace();
    fs.renameSync(path.join(root, 'data', 'synthetic.json'), path.join(root, 'data', 'six.json'));
    const agents = [{ id: 'W0', role: 'orchestrator', kind: 'builtin' }];
    const experiments = { dataset: 'data/six.json', workers: 1, base: { fevals1: 33, polishTopK: 2, altStarts: 1 } };
    fs.writeFileSync(path.join(root, 'ralph.config.json'), JSON.stringify({ agents, experiments }));
    const { exitCode, stderr } = await runTiny(root, '--max-samples', '1', '--set', 'altStarts=0');
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    const [result] = resultFiles(root, 'tiny').map(readJson);
    expect(result.config).toMatchObject({ fevals1: 33, polishTopK: 1, altStarts: 0 });
    expect(result).toMatchObject({ dataset: 'data/six.json', workers: 1 });

    fs.writeFileSync(
      path.join(root, 'ralph.config.json'),
      JSON.stringify({ agents, experiments: { base: { fevals: 3 } } }),
    );
    const bad = await runCli(['--workspace', root, 'run', 'tiny']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/ralph\.config\.json: experiments\.base: unknown experiment config key "fevals"/);
  });

  it('reports a broken experiment.json by file, line and column', async () => {
    const root = makeWorkspace();
    fs.writeFileSync(path.join(root, 'experiments', 'tiny', 'experiment.json'), '{"config": {"fevals1": 3,}}');
    const { exitCode, stderr } = await runCli(['--workspace', root, 'run', 'tiny']);
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(/experiment\.json: invalid JSON at line 1, column \d+/);
  });
});

describe('ralph-tui solve', () => {
  /** Solves the dataset's first two samples on two workers with the fast settings, writing `out`. */
  const solveTwoSamples = (out: string) =>
    runCli(['solve', '--data', dataset, '--out', out, '--workers', '2', '--max-samples', '2', ...fastSet]);

  it('writes JSON predictions for every sample in dataset order', async () => {
    const dir = makeTempDir('ralph-solve-');
    const out = path.join(dir, 'predictions.json');
    const { exitCode, stderr } = await solveTwoSamples(out);
    // A subset is written, and said to be one.
    expect(stderr).toBe(
      `ralph-tui: wrote a partial submission: ${out} has 2 of the dataset's 6 samples (--max-samples 2); each missing sample scores 0 if submitted`,
    );
    expect(exitCode).toBe(0);
    const predictions = readJson(out);
    expect(predictions.samples.map((s: { sample_id: string }) => s.sample_id)).toEqual(['sample_0', 'sample_1']);
    for (const sample of predictions.samples) {
      for (const candidate of sample.estimated_sources)
        expect(candidate).toEqual([[expect.any(Number), expect.any(Number), expect.any(Number)]]);
    }
  });

  if (!numpy)
    console.warn('SKIPPED: solve --out *.npz is not loaded with NumPy because /usr/bin/python3 cannot import numpy');
  it('stopped by SIGTERM writes no predictions at all and exits 143', async () => {
    const out = path.join(makeTempDir('ralph-solve-'), 'submission.npz');
    const child = execa(
      process.execPath,
      [cliPath, 'solve', '--data', dataset, '--out', out, '--workers', '1', '--progress', 'json'],
      { reject: false, env: { FORCE_COLOR: '0' } },
    );
    child.stdout!.on('data', function onData(chunk: Buffer) {
      if (!chunk.toString().includes('"type":"sample"')) return;
      child.stdout!.off('data', onData);
      child.kill('SIGTERM');
    });
    const done = await child;
    expect(done.exitCode).toBe(143);
    expect(String(done.stderr)).toContain('was not written');
    expect(fs.readdirSync(path.dirname(out))).toEqual([]);
  });

  it.skipIf(!numpy)('--out *.npz writes a submission that np.load(allow_pickle=True)["samples"] reads', async () => {
    const dir = makeTempDir('ralph-solve-');
    const out = path.join(dir, 'submission.npz');
    const { exitCode } = await solveTwoSamples(out);
    expect(exitCode).toBe(0);
    const script =
      'import sys, numpy as np\ns = np.load(sys.argv[1], allow_pickle=True)["samples"]\nprint(len(s), s[0]["sample_id"], type(s[0]["estimated_sources"][0][0]).__name__, len(s[0]["estimated_sources"][0][0]))';
    const loaded = await execa('/usr/bin/python3', ['-c', script, out]);
    expect(loaded.stdout).toBe('2 sample_0 tuple 3');
  });
});

describe('ExperimentRunner.startBuiltin', () => {
  it('runs `ralph-tui run NAME --progress json` in the workspace and reports the finished score', async () => {
    const root = makeWorkspace();
    const runner = new ExperimentRunner({ workspace: root });
    try {
      const id = runner.startBuiltin('fast', { workers: 2 });
      const view = await new Promise<ExperimentRunView>((resolve) => {
        const check = () => {
          const v = runner.getSnapshot().find((run) => run.id === id);
          if (v && ['finished', 'failed', 'cancelled'].includes(v.state)) resolve(v);
        };
        runner.subscribe(check);
        check();
      });
      expect(view).toMatchObject({ state: 'finished', done: 6, total: 6, against: 'Y', workers: 2 });
      expect(view.score).toBeGreaterThan(1);
      expect(fs.existsSync(path.join(root, view.resultFile!))).toBe(true);
    } finally {
      await runner.dispose();
    }
  });
});

describe('ralph-tui run with an external command', () => {
  it('runs experiment.json "command" in the workspace with RALPH_* variables and returns its exit code', async () => {
    const root = makeWorkspace();
    const script = path.join(root, 'experiments', 'tiny', 'run.mjs');
    fs.writeFileSync(
      script,
      "console.log('[ 1/1] ' + process.env.RALPH_EXPERIMENT + ' ' + process.env.RALPH_WORKERS + ' ' + process.cwd()); process.exit(4);\n",
    );
    fs.writeFileSync(
      path.join(root, 'experiments', 'tiny', 'experiment.json'),
      JSON.stringify({ command: `"${process.execPath}" experiments/tiny/run.mjs` }),
    );
    const { exitCode, stdout } = await runCli(['--workspace', root, 'run', 'tiny', '--workers', '3']);
    expect(stdout).toBe(`[ 1/1] tiny 3 ${fs.realpathSync(root)}`);
    expect(exitCode).toBe(4);
  });

  it('runs an experiments.commands entry of ralph.config.json by name, and lists it', async () => {
    const root = makeWorkspace();
    const agents = [{ id: 'W0', role: 'orchestrator', kind: 'builtin' }];
    const commands = [
      { name: 'legacy', command: `"${process.execPath}" -e "console.log('Submission Score: 1.0500')"` },
    ];
    fs.writeFileSync(path.join(root, 'ralph.config.json'), JSON.stringify({ agents, experiments: { commands } }));
    expect(listExperiments(root)).toEqual(['tiny', 'legacy', 'baseline', 'fast']);
    const { exitCode, stdout } = await runCli(['--workspace', root, 'run', 'legacy']);
    expect(stdout).toBe('Submission Score: 1.0500');
    expect(exitCode).toBe(0);
  });
});
