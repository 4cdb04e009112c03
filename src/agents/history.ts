/**
 * What the orchestrator learns from the completed experiments: the best in-budget result so far, which
 * experiments improved it, and which families are exhausted. Pure: recomputed from the queue every step, so
 * a restarted orchestrator reaches the same conclusions without state of its own.
 */
import { beatsBest } from '../../orchestration/index.js';

export interface HistoryEntry {
  name: string;
  family?: string;
  status: string;
  score?: number;
  timeMin?: number;
  completedAt?: string;
  config?: Record<string, unknown>;
}

export interface Improvement {
  name: string;
  family?: string;
  score: number;
  timeMin: number;
  previous: number | null;
}

export interface History {
  best: { name: string; score: number; timeMin: number; config: Record<string, unknown> | undefined } | null;
  improvements: Improvement[];
  /** Retired family → the names of the k experiments that did not improve the best. */
  retired: Map<string, string[]>;
}

export const RETIRE_AFTER = 3;

export function inBudget(timeMin: number | undefined, budgetMinutes: number): boolean {
  return typeof timeMin === 'number' && Number.isFinite(timeMin) && timeMin <= budgetMinutes;
}

/**
 * Finished entries (completed with a score, or failed) in the order they finished (ISO timestamps sort as
 * strings; ties keep queue order). A failed run counts as one that did not improve the best.
 */
function finishedInOrder(entries: readonly HistoryEntry[]): HistoryEntry[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .filter(
      ({ entry }) => (entry.status === 'completed' && typeof entry.score === 'number') || entry.status === 'failed',
    )
    .sort((a, b) => (a.entry.completedAt ?? '').localeCompare(b.entry.completedAt ?? '') || a.index - b.index)
    .map(({ entry }) => entry);
}

export function analyseHistory(
  entries: readonly HistoryEntry[],
  budgetMinutes: number,
  retireAfter = RETIRE_AFTER,
): History {
  let best: History['best'] = null;
  const improvements: Improvement[] = [];
  const streaks = new Map<string, string[]>();
  for (const entry of finishedInOrder(entries)) {
    const score = entry.score as number;
    // Results over budget never become the best, however good: a score that breaks the time budget is not usable.
    const improved =
      entry.status === 'completed' && inBudget(entry.timeMin, budgetMinutes) && beatsBest(score, best?.score);
    if (improved) {
      improvements.push({
        name: entry.name,
        family: entry.family,
        score,
        timeMin: entry.timeMin as number,
        previous: best?.score ?? null,
      });
      best = { name: entry.name, score, timeMin: entry.timeMin as number, config: entry.config };
    }
    if (entry.family) {
      const streak = improved ? [] : [...(streaks.get(entry.family) ?? []), entry.name];
      streaks.set(entry.family, streak);
    }
  }
  const retired = new Map<string, string[]>();
  for (const [family, streak] of streaks)
    if (streak.length >= retireAfter) retired.set(family, streak.slice(-retireAfter));
  return { best, improvements, retired };
}
