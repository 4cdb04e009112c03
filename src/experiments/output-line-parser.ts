// Parses an experiment's output lines (ralph-tui's own and tqdm bars) into progress events.
import { runFieldsOf } from '../../orchestration/run-status.js';
import { ProgressLine, type ProgressEndLine, type ProgressSampleLine } from './json-progress-lines.js';

/** What one line of an experiment's output says about its progress (see parseProgressLine). */
export type ProgressEvent =
  | { type: 'start'; name?: string; total: number; workers?: number }
  | {
      type: 'progress';
      done: number;
      total: number;
      sampleId?: string;
      rmse?: number;
      elapsedSeconds?: number;
      etaSeconds?: number;
      runningScore?: number;
    }
  | { type: 'score'; score: number }
  | { type: 'projection'; projected400Min: number }
  | {
      type: 'end';
      score?: number;
      against?: 'Y' | 'Y_noisy';
      projected400Min?: number;
      workers?: number;
      wallSeconds?: number;
      resultFile?: string;
      incomplete: boolean;
    };

// `[ 12/80] sample_45 2-src rmse=0.1834 cands=3 1.9s` (ralph-tui's human lines and the original run.py's).
const bracketLine = /^\s*\[\s*(\d+)\s*\/\s*(\d+)\s*\](?:\s+(\S+))?/;
const rmseField = /\brmse[=:]\s*([-+]?\d*\.?\d+(?:e[-+]?\d+)?)/i;
// tqdm: `Samples:  45%|████▌     | 36/80 [00:41<00:50,  1.07s/it]` (elapsed<remaining, remaining may be `?`).
const tqdmLine = /(\d+)%\|[^|]*\|\s*(\d+)\/(\d+)\s*\[([\d:]+)<([\d:?]+)/;
// tqdm draws a bar at position n ≥ 1 (a nested loop) by moving n lines down, drawing, and moving back up with
// ESC[A: a bar followed by cursor-up is an inner one, whose counts are not the run's.
const nestedBar = /\x1b\[\d*A\s*$/;
// `Progress: 20/80 samples` (older scripts' periodic line).
const progressWord = /\bprogress\b\s*:?\s*(\d+)\s*\/\s*(\d+)/i;
const elapsedField = /\belapsed[=:]?\s*(\d*\.?\d+)\s*s\b/i;
const submissionScore = /submission\s+score\s*:\s*([-+]?\d*\.?\d+)/i;
const projected = /projected\s*\(\s*400\s*\)\s*:\s*([-+]?\d*\.?\d+)\s*min/i;

/**
 * Turns one line of experiment output into a progress event, or null when it says nothing about
 * progress. Understands the JSON protocol, `[ k/N] ...` lines, tqdm bars, `Progress: k/N`, and the
 * final `Submission Score:` / `Projected (400):` lines. Pure, so the formats are unit-tested on
 * fixtures of real output.
 */
export function parseProgressLine(line: string): ProgressEvent | null {
  const text = line.trim();
  if (text.startsWith('{')) return parseJsonLine(text);
  let match = tqdmLine.exec(text);
  if (match && nestedBar.test(text)) return null;
  if (match) {
    const eta = match[5] === '?' || match[5].includes('?') ? undefined : clockSeconds(match[5]);
    return dropUndefined({
      type: 'progress',
      done: Number(match[2]),
      total: Number(match[3]),
      elapsedSeconds: clockSeconds(match[4]),
      etaSeconds: eta,
    });
  }
  match = bracketLine.exec(text);
  if (match) {
    const rmse = rmseField.exec(text);
    return dropUndefined({
      type: 'progress',
      done: Number(match[1]),
      total: Number(match[2]),
      sampleId: match[3],
      rmse: rmse ? Number(rmse[1]) : undefined,
    });
  }
  match = submissionScore.exec(text);
  if (match) return { type: 'score', score: Number(match[1]) };
  match = projected.exec(text);
  if (match) return { type: 'projection', projected400Min: Number(match[1]) };
  match = progressWord.exec(text);
  if (match) {
    const elapsed = elapsedField.exec(text);
    return dropUndefined({
      type: 'progress',
      done: Number(match[1]),
      total: Number(match[2]),
      elapsedSeconds: elapsed ? Number(elapsed[1]) : undefined,
    });
  }
  return null;
}

function parseJsonLine(text: string): ProgressEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = ProgressLine.safeParse(raw);
  return parsed.success ? progressEventOf(parsed.data) : null;
}

/** The event a protocol object stands for (also for objects a run produces itself, without printing them). */
export function progressEventOf(line: ProgressLine): ProgressEvent {
  switch (line.type) {
    case 'start':
      return dropUndefined({ type: 'start', name: line.name, total: line.total, workers: line.workers });
    case 'sample':
      return dropUndefined({
        type: 'progress',
        done: line.done,
        total: line.total,
        sampleId: line.sample_id,
        rmse: line.rmse ?? undefined,
        ...sampleFields(line),
      });
    case 'end':
      return dropUndefined({
        type: 'end',
        ...endFields(line),
        wallSeconds: line.wall_seconds,
        incomplete: line.incomplete ?? false,
      });
  }
}

function sampleFields(line: ProgressSampleLine) {
  const { elapsedSeconds, etaSeconds, runningScore } = runFieldsOf(line);
  return { elapsedSeconds, etaSeconds, runningScore };
}

function endFields(line: ProgressEndLine) {
  const { score, against, projected400Min, workers, resultFile } = runFieldsOf(line);
  return { score, against, projected400Min, workers, resultFile };
}

/** `00:41`, `1:02:03` → seconds. */
function clockSeconds(clock: string): number {
  return clock.split(':').reduce((total, part) => total * 60 + Number(part), 0);
}

/** Keeps events free of `key: undefined` so they compare and serialise cleanly. */
function dropUndefined(event: ProgressEvent): ProgressEvent {
  const record = event as Record<string, unknown>;
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return event;
}
