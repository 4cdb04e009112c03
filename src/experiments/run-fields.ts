// Folds a run's progress events into the fields its views and status file show.
import type { ProgressEvent } from './output-line-parser.js';

/** What a run's progress events add up to (the runner's views and the live status files share it). */
export interface ProgressFields {
  done: number;
  total: number;
  etaSeconds?: number;
  elapsedSeconds: number;
  /** ms since the epoch. */
  startedAt?: number;
  runningScore?: number;
  score?: number;
  against?: 'Y' | 'Y_noisy';
  projected400Min?: number;
  workers?: number;
  incomplete?: boolean;
  resultFile?: string;
}

/**
 * How a progress event changes a run's fields. ETA falls back to a linear estimate from the pace so far;
 * while running, the 400-sample projection is the competition's formula on the samples done so far
 * (elapsed / done × 400 / 60), replaced by the script's own figure when it prints one.
 */
export function progressPatch(event: ProgressEvent, view: ProgressFields, now = Date.now()): Partial<ProgressFields> {
  switch (event.type) {
    case 'start':
      return { total: event.total, workers: event.workers ?? view.workers };
    case 'progress': {
      const elapsed = event.elapsedSeconds ?? (view.startedAt ? (now - view.startedAt) / 1000 : 0);
      const eta =
        event.etaSeconds ?? (event.done > 0 ? (elapsed / event.done) * (event.total - event.done) : undefined);
      const projected = event.done > 0 && elapsed > 0 ? (elapsed / event.done) * (400 / 60) : view.projected400Min;
      return {
        done: event.done,
        total: event.total,
        elapsedSeconds: elapsed,
        etaSeconds: eta,
        runningScore: event.runningScore ?? view.runningScore,
        projected400Min: projected,
      };
    }
    case 'score':
      return { score: event.score };
    case 'projection':
      return { projected400Min: event.projected400Min };
    case 'end':
      return {
        score: event.score ?? view.score,
        against: event.against,
        projected400Min: event.projected400Min ?? view.projected400Min,
        workers: event.workers ?? view.workers,
        resultFile: event.resultFile,
        incomplete: event.incomplete,
        etaSeconds: 0,
      };
  }
}
