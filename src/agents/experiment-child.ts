// Runs one experiment as a `ralph-tui run` child and reports its progress and outcome.
import path from 'node:path';
import { execa } from 'execa';
import { parseProgressLine } from '../experiments/output-line-parser.js';
import { ralphBinDir } from '../supervisor/local-launch.js';
import type { AgentLog } from './agent-output.js';

/**
 * The final line of `ralph-tui run --progress json` (the protocol in docs/experiments.md), or what an
 * experiment's own command printed (`Submission Score:` and `Projected (400):` lines) when it has no JSON.
 */
export interface RunEnd {
  type: 'end';
  score: number;
  against?: string;
  projected_400_samples_min: number;
  /** Threads the projection was measured at (absent for a script's own projection). */
  workers?: number;
  wall_seconds?: number;
  cpu_seconds_per_sample?: number | null;
  in_budget?: boolean;
  result_file?: string;
  incomplete?: boolean;
}

export type ChildOutcome = { kind: 'finished'; end: RunEnd } | { kind: 'failed'; reason: string } | { kind: 'aborted' };

/** One readable progress line from a JSON progress event, or null for events not worth a line. */
export function describeProgress(event: Record<string, unknown>): string | null {
  const num = (value: unknown, digits: number) =>
    typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '?';
  if (event.type === 'start') return `  started: ${String(event.total)} samples on ${String(event.workers)} thread(s)`;
  if (event.type === 'sample') {
    const eta = typeof event.eta === 'number' ? ` eta ${Math.round(event.eta)}s` : '';
    return `  [${String(event.done)}/${String(event.total)}] ${String(event.sample_id)} ${String(event.n_sources)}-src rmse=${num(event.rmse, 4)} cands=${String(event.candidates)} ${num(event.seconds, 1)}s  running score ${num(event.running_score, 4)}${eta}`;
  }
  return null;
}

/**
 * Runs `ralph-tui run NAME --workers N --progress json` for a worker, echoing readable progress into the
 * worker's pane. Aborting the signal (the worker got SIGTERM) sends the child SIGTERM, so it writes its partial
 * result and exits; the caller leaves the queue claim alone so the restarted worker resumes the experiment.
 */
export async function runExperimentChild(opts: {
  root: string;
  name: string;
  threads: number;
  log: AgentLog;
  signal?: AbortSignal;
}): Promise<ChildOutcome> {
  // This install's launcher with this Node, so the child runs the same build as the agent.
  const args = [
    path.join(ralphBinDir(), 'ralph-tui.js'),
    '--workspace',
    opts.root,
    'run',
    opts.name,
    '--workers',
    String(opts.threads),
    '--progress',
    'json',
  ];
  const child = execa(process.execPath, args, {
    cwd: opts.root,
    stdin: 'ignore',
    reject: false,
    cancelSignal: opts.signal,
    forceKillAfterDelay: 10_000,
    all: true,
    env: { FORCE_COLOR: '0' },
  });
  let end: RunEnd | null = null;
  // An experiment with its own command (run.py) prints its own format; its final lines give score and time.
  let printedScore: number | undefined;
  let printedProjection: number | undefined;
  // stderr too, as it comes: a run waiting out a full disk says so there, and the pane must show it while it waits.
  for await (const line of child.iterable({ from: 'all' })) {
    const text = String(line).trim();
    if (!text) continue;
    let event: Record<string, unknown> | null = null;
    try {
      event = JSON.parse(text) as Record<string, unknown>;
    } catch {
      const parsed = parseProgressLine(text);
      if (parsed?.type === 'score') printedScore = parsed.score;
      if (parsed?.type === 'projection') printedProjection = parsed.projected400Min;
      opts.log(`  ${text}`);
      continue;
    }
    if (event.type === 'end') end = event as unknown as RunEnd;
    const described = describeProgress(event);
    if (described) opts.log(described);
  }
  const result = await child;
  if (opts.signal?.aborted) return { kind: 'aborted' };
  if (!end && result.exitCode === 0 && printedScore !== undefined && printedProjection !== undefined) {
    end = { type: 'end', score: printedScore, projected_400_samples_min: printedProjection };
  }
  if (result.exitCode === 0 && end && typeof end.score === 'number' && !end.incomplete)
    return { kind: 'finished', end };
  const stderr = String(result.stderr ?? '')
    .trim()
    .split('\n')
    .filter(Boolean);
  const last = stderr.at(-1) ?? (end ? 'the run ended incomplete' : 'no result line');
  return {
    kind: 'failed',
    reason: `ralph-tui run exited with code ${result.exitCode ?? result.signal ?? '?'}: ${last}`,
  };
}
