// The `ralph-tui run` command: runs one experiment over its dataset on worker threads.
import type { Command } from 'commander';
import { addSolveOptions, parseSolveOptions } from '../experiments/cli-options.js';
import { resolveExperiment } from '../experiments/experiment-definition.js';
import { newRunId, runExperiment } from '../experiments/run-experiment.js';
import { runExternal } from '../experiments/run-external.js';
import { withStopSignals } from '../experiments/stop-signals.js';
import { UserError } from '../../core/errors.js';
import { plainText } from '../../core/plain-text.js';
import { workspaceOf } from './workspace-option.js';

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description(
      'Run an experiment: estimate every sample of its dataset on worker threads, then write the result, a STATE.json tuning run and an MLflow run',
    )
    .argument('<experiment>', 'experiments/<name>/experiment.json in the workspace, or a built-in (baseline, fast)')
    .option(
      '--data <file>',
      "dataset (default: the experiment's, else experiments.dataset in ralph.config.json, else data/synthetic.json)",
    )
    .option('--log <worker>', 'also append an ITERATION_LOG.md entry as this worker (e.g. W1)')
    .option(
      '--expect-command <command>',
      'run only if the experiment\'s command is exactly this ("" = it must have none): what a person confirmed',
    );
  addSolveOptions(command).action(async (name: string, raw: Record<string, unknown>, cmd: Command) => {
    const root = workspaceOf(cmd);
    const options = parseSolveOptions(raw);
    if (raw.log !== undefined && !/^W\d+$/.test(String(raw.log)))
      throw new UserError(`--log expects a worker id like W1, got "${String(raw.log)}"`);
    const experiment = resolveExperiment(root, name);
    if (raw.expectCommand !== undefined && (experiment.command ?? '') !== raw.expectCommand) {
      const now = experiment.command ? `now \`${plainText(experiment.command)}\`` : 'it has none now';
      throw new UserError(
        `the command of experiment ${name} changed since it was confirmed (${now}); nothing was run — start it again to see it`,
      );
    }
    if (experiment.command) {
      process.exitCode = await runExternal({
        experiment,
        root,
        workers: options.workers,
        log: raw.log as string | undefined,
        ownRunId: newRunId(),
      });
      return;
    }
    await withStopSignals((signal) =>
      runExperiment({
        root,
        experiment,
        ...options,
        data: raw.data as string | undefined,
        log: raw.log as string | undefined,
        signal,
        warn: (message) => process.stderr.write(`ralph-tui: ${message}\n`),
      }),
    );
  });
}
