/**
 * Scores are shown and logged with 4 decimals. A result is a new best only when it is better at that
 * precision: one better by 0.00002 (run-to-run noise is ~0.01) was announced as "NEW BEST … +0.0000".
 */
export function beatsBest(score: number, best: number | null | undefined): boolean {
  if (best === null || best === undefined || !Number.isFinite(best)) return true;
  return Math.round(score * 1e4) > Math.round(best * 1e4);
}
