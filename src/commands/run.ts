import type { Command } from 'commander';
import { execa } from 'execa';
import { addSolveOptions, parseSolveOptions } from '../experiments/cli-options.js';
import { resolveExperiment, type ExperimentDefinition } from '../experiments/experiment-definition.js';
import { runExperiment } from '../experiments/run-experiment.js';
import { exitCodeFor, withStopSignals } from '../experiments/stop-signals.js';
import { UserError } from '../errors.js';
import { workspaceOf } from './workspace-option.js';

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('Run an experiment: estimate every sample of its dataset on worker threads, then write the result, a STATE.json tuning run and an MLflow run')
    .argument('<experiment>', 'experiments/<name>/experiment.json in the workspace, or a built-in (baseline, fast)')
    .option('--data <file>', "dataset (default: the experiment's, else experiments.dataset in ralph.config.json, else data/synthetic.json)")
    .option('--log <worker>', 'also append an ITERATION_LOG.md entry as this worker (e.g. W1)');
  addSolveOptions(command).action(async (name: string, raw: Record<string, unknown>, cmd: Command) => {
    const root = workspaceOf(cmd);
    const options = parseSolveOptions(raw);
    if (raw.log !== undefined && !/^W\d+$/.test(String(raw.log))) throw new UserError(`--log expects a worker id like W1, got "${String(raw.log)}"`);
    const experiment = resolveExperiment(root, name);
    if (experiment.command) {
      process.exitCode = await runExternal(experiment, root, options.workers);
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
      }),
    );
  });
}

/**
 * An experiment with a `command` (e.g. `uv run python run.py`) runs as it is, in the workspace, with
 * the terminal's output; its exit code becomes ours. RALPH_* variables tell it where it runs.
 */
async function runExternal(experiment: ExperimentDefinition, root: string, workers?: number): Promise<number> {
  const child = execa(experiment.command!, {
    shell: true,
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    reject: false,
    env: {
      RALPH_WORKSPACE: root,
      RALPH_EXPERIMENT: experiment.name,
      RALPH_EXPERIMENT_DIR: experiment.dir,
      ...(workers !== undefined ? { RALPH_WORKERS: String(workers) } : {}),
    },
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    const result = await child;
    if (result.signal) return exitCodeFor(result.signal as NodeJS.Signals);
    return result.exitCode ?? 1;
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}
