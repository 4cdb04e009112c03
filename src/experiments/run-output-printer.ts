// Prints a run's progress as human lines or as the JSON line protocol.
import type { EstimateOutcome } from '../../solver/parallel/estimate-messages.js';
import type { ProgressEndLine, ProgressLine, ProgressSampleLine, ProgressStartLine } from './json-progress-lines.js';
import { bestRmse, type RunSummary } from './run-summary.js';

export type ProgressMode = 'human' | 'json';

/**
 * Prints a run's progress: human lines (`[ 12/80] sample_45 2-src rmse=0.1834 cands=3 1.9s`, then a
 * final block with `Submission Score:` and `Projected (400):`, the lines older scripts print) or the
 * `--progress json` protocol, one object per line. Both are what parseProgressLine reads back.
 */
export class ProgressReporter {
  private readonly startedAt = performance.now();

  constructor(
    private readonly mode: ProgressMode,
    private readonly out: NodeJS.WritableStream = process.stdout,
    /** Gets every protocol object whatever the mode (the run's live status file is fed from it). */
    private readonly onLine?: (line: ProgressLine) => void,
  ) {}

  start(name: string, total: number, workers: number): void {
    const line = { type: 'start', name, total, workers } satisfies ProgressStartLine;
    this.onLine?.(line);
    if (this.mode === 'json') this.json(line);
    else this.out.write(`${name}: ${plural(total, 'sample')} on ${plural(workers, 'worker thread')}\n`);
  }

  sample(outcome: EstimateOutcome, finished: readonly EstimateOutcome[], total: number): void {
    const done = finished.length;
    const elapsed = (performance.now() - this.startedAt) / 1000;
    const eta = done ? (elapsed / done) * (total - done) : null;
    const runningScore = finished.reduce((sum, o) => sum + o.score, 0) / done;
    const rmse = bestRmse(outcome);
    const line = {
      type: 'sample',
      done,
      total,
      sample_id: outcome.sampleId,
      n_sources: outcome.nSources,
      rmse,
      candidates: outcome.candidates.length,
      seconds: round(outcome.seconds, 3),
      elapsed: round(elapsed, 3),
      eta: eta === null ? null : round(eta, 1),
      running_score: round(runningScore, 6),
    } satisfies ProgressSampleLine;
    this.onLine?.(line);
    if (this.mode === 'json') {
      this.json(line);
      return;
    }
    const width = Math.max(3, String(total).length); // `[ 12/80]`, as the original run.py printed
    this.out.write(
      `[${String(done).padStart(width)}/${total}] ${outcome.sampleId} ${outcome.nSources}-src rmse=${rmse === null ? 'n/a' : rmse.toFixed(4)} cands=${outcome.candidates.length} ${outcome.seconds.toFixed(1)}s\n`,
    );
  }

  end(
    summary: RunSummary,
    extra: { resultFile?: string; incomplete: boolean; budgetNote?: string; inBudget?: boolean },
  ): void {
    const line = {
      type: 'end',
      score: summary.score,
      against: summary.against,
      projected_400_samples_min: summary.projected_400_samples_min,
      workers: summary.workers,
      wall_seconds: round(summary.wall_seconds, 3),
      cpu_seconds_per_sample: summary.cpu_seconds_per_sample,
      in_budget: extra.inBudget,
      result_file: extra.resultFile,
      ...(extra.incomplete ? { incomplete: true } : {}),
    } satisfies ProgressEndLine;
    this.onLine?.(line);
    if (this.mode === 'json') {
      this.json(line);
      return;
    }
    const lines = [
      extra.incomplete
        ? `Stopped early: ${plural(summary.n_samples, 'sample')} finished (result marked incomplete)`
        : '',
      `Submission Score: ${fmt(summary.score, 4)} (${summary.against === 'Y' ? 'against clean Y' : 'proxy against Y_noisy'}, ${plural(summary.n_samples, 'sample')})`,
      `RMSE: ${fmt(summary.rmse_mean, 4)} (1-src ${fmt(summary.rmse_1src, 4)}, 2-src ${fmt(summary.rmse_2src, 4)})`,
      `Total time: ${summary.wall_seconds.toFixed(1)}s with ${plural(summary.workers, 'worker')}, ${fmt(summary.cpu_seconds_per_sample, 1)} CPU-s/sample`,
      `Projected (400): ${fmt(summary.projected_400_samples_min, 1)} min${extra.budgetNote ? ` ${extra.budgetNote}` : ''}`,
      extra.resultFile ? `Result: ${extra.resultFile}` : '',
    ];
    this.out.write(lines.filter(Boolean).join('\n') + '\n');
  }

  private json(line: object): void {
    this.out.write(JSON.stringify(line) + '\n');
  }
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
const round = (value: number, digits: number) => Number(value.toFixed(digits));
const fmt = (value: number | null, digits: number) => (value === null ? 'n/a' : value.toFixed(digits));
