// Runs an experiment defined by its own command and tracks its progress from its output.
import { execa } from 'execa';
import type { ExperimentDefinition } from './experiment-definition.js';
import { LineSplitter } from './line-splitter.js';
import { parseProgressLine } from './output-line-parser.js';
import { RunStatusFile, statusRunId, statusWorker } from './run-status-writer.js';
import { exitCodeFor } from './stop-signals.js';

/**
 * An experiment with a `command` (e.g. `uv run python run.py`) runs as it is, in the workspace; its exit
 * code becomes ours. Its output is passed through to ours and also parsed (the JSON protocol, `[k/N]`,
 * tqdm, `Progress:`, `Submission Score:` / `Projected (400):`) into the run's live status file, so the
 * screen shows a bar for it like for a built-in run. RALPH_* variables tell it where it runs.
 */
export async function runExternal(opts: {
  experiment: ExperimentDefinition;
  root: string;
  workers?: number;
  log?: string;
  ownRunId: string;
}): Promise<number> {
  const { experiment, root } = opts;
  const status = new RunStatusFile({
    root,
    runId: statusRunId(opts.ownRunId),
    name: experiment.name,
    worker: statusWorker(opts.log),
  });
  // Our status file carries RALPH_RUN_ID's id: a `ralph-tui run` inside the command must not reuse it.
  const { RALPH_RUN_ID: _ours, ...inherited } = process.env;
  const child = execa(experiment.command!, {
    shell: true,
    cwd: root,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    extendEnv: false,
    env: {
      ...inherited,
      // Output is a pipe now, not the terminal: Python would hold progress lines in a block buffer.
      PYTHONUNBUFFERED: inherited.PYTHONUNBUFFERED ?? '1',
      RALPH_WORKSPACE: root,
      RALPH_EXPERIMENT: experiment.name,
      RALPH_EXPERIMENT_DIR: experiment.dir,
      ...(opts.workers !== undefined ? { RALPH_WORKERS: String(opts.workers) } : {}),
    },
  });
  let stoppedBy: NodeJS.Signals | undefined;
  const forward = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    child.kill(signal);
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  const pipes: Array<[NodeJS.ReadableStream | null, NodeJS.WritableStream]> = [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ];
  for (const [from, to] of pipes) {
    const splitter = new LineSplitter();
    const take = (lines: string[]) => {
      for (const line of lines) {
        const event = parseProgressLine(line);
        if (event) status.apply(event);
      }
      status.addLines(lines);
    };
    from?.on('data', (chunk: Buffer) => {
      to.write(chunk);
      take(splitter.push(chunk));
    });
    from?.on('end', () => take(splitter.flush()));
  }
  try {
    await status.start();
    const result = await child;
    const signal = (result.signal as NodeJS.Signals | undefined) ?? undefined;
    const exitCode = signal ? exitCodeFor(signal) : (result.exitCode ?? 1);
    const notStarted =
      result.exitCode === undefined && !signal && result.failed
        ? [result.shortMessage ?? `could not start ${experiment.command}`]
        : [];
    // Killed by a signal we did not forward (the OOM killer, a person's kill -9): a failure, not a cancel.
    const state = stoppedBy
      ? 'cancelled'
      : exitCode !== 0
        ? 'failed'
        : status.reportedIncomplete()
          ? 'incomplete'
          : 'finished';
    await status.end(state, { exitCode, lines: notStarted });
    return exitCode;
  } finally {
    for (const signal of FORWARDED) process.off(signal, forward);
  }
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
