// The `ralph-tui solve` command: estimates every sample of a dataset and writes predictions.
import { exists, readText, writeAtomic } from '../../core/safe-fs.js';
import path from 'node:path';
import type { Command } from 'commander';
import { loadDataset } from '../../solver/dataset.js';
import { applyOverrides, parseExperimentConfig } from '../../solver/experiment-config.js';
import { writeSubmissionNpz } from '../../solver/npz.js';
import { defaultWorkerCount } from '../../solver/parallel/estimate-pool.js';
import { planSamples } from '../../solver/parallel/schedule.js';
import { addSolveOptions, parseSolveOptions } from '../experiments/cli-options.js';
import { ProgressReporter } from '../experiments/run-output-printer.js';
import { summarizeRun } from '../experiments/run-summary.js';
import { solveDataset } from '../experiments/solve-dataset.js';
import { withStopSignals } from '../experiments/stop-signals.js';
import { UserError } from '../../core/errors.js';
import { parseJsonText } from '../../core/json-file.js';

export function registerSolve(program: Command): void {
  const command = program
    .command('solve')
    .description(
      'Estimate the sources of every sample of a dataset and write predictions (JSON, or the competition .npz)',
    )
    .requiredOption('--data <file>', 'dataset (.json or the official .pkl)')
    .requiredOption(
      '--out <file>',
      'predictions: *.npz writes the competition submission, anything else JSON {"samples": [...]}',
    )
    .option('--config <file>', 'experiment config: an experiment.json (its "config") or a bare config object');
  addSolveOptions(command).action(async (raw: Record<string, unknown>) => {
    const options = parseSolveOptions(raw);
    const out = path.resolve(String(raw.out));
    if (!exists(path.dirname(out)))
      throw new UserError(`--out ${String(raw.out)}: folder ${path.dirname(out)} does not exist`);
    let config = parseExperimentConfig(
      raw.config ? readConfigFile(String(raw.config)) : {},
      String(raw.config ?? 'defaults'),
    );
    config = applyOverrides(config, options.set);
    if (options.seed !== undefined) config = { ...config, seed: options.seed };
    const dataset = await loadDataset(path.resolve(String(raw.data)));
    const indices = planSamples(
      dataset.samples.map((s) => s.n_sources),
      { shuffle: options.shuffle, maxSamples: options.maxSamples, seed: config.seed },
    );
    const workers = Math.min(options.workers ?? defaultWorkerCount(), Math.max(1, indices.length));
    const reporter = new ProgressReporter(options.progress);
    reporter.start('solve', indices.length, workers);
    const { value: solved, stoppedBy } = await withStopSignals((signal) =>
      solveDataset({
        dataset,
        config,
        indices,
        workers,
        seed: config.seed,
        signal,
        onOutcome: (o, finished) => reporter.sample(o, finished, indices.length),
      }),
    );
    const summary = summarizeRun(solved.outcomes, {
      wallSeconds: solved.wallSeconds,
      cpuSeconds: solved.cpuSeconds,
      workers,
    });
    if (stoppedBy) {
      // A submission missing samples would be scored as if they were wrong: write nothing.
      reporter.end(summary, { incomplete: true });
      process.stderr.write(`ralph-tui: stopped by ${stoppedBy}; ${String(raw.out)} was not written\n`);
      return;
    }
    const predictions = solved.outcomes.map((o) => ({ sample_id: o.sampleId, estimated_sources: o.candidates }));
    if (out.endsWith('.npz')) await writeSubmissionNpz(out, predictions);
    else await writeAtomic(out, JSON.stringify({ samples: predictions }) + '\n');
    reporter.end(summary, { resultFile: String(raw.out), incomplete: false });
    if (indices.length < dataset.samples.length) {
      // The leaderboard scores a missing sample 0: say so, the file looks like any other submission.
      process.stderr.write(
        `ralph-tui: wrote a partial submission: ${String(raw.out)} has ${indices.length} of the dataset's ${dataset.samples.length} samples (--max-samples ${options.maxSamples}); each missing sample scores 0 if submitted\n`,
      );
    }
  });
}

function readConfigFile(file: string): unknown {
  let text: string | null;
  try {
    text = readText(file);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`--config ${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (text === null) throw new UserError(`--config ${file}: cannot read (ENOENT)`);
  const value = parseJsonText(text, file);
  // An experiment.json carries its config under "config"; a bare config object is the config itself.
  if (value && typeof value === 'object' && !Array.isArray(value) && 'config' in value)
    return (value as { config: unknown }).config;
  return value;
}
