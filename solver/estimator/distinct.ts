// The official distance between two candidates, for keeping alternative candidates apart.
import { SCORING, type Candidate } from '../scoring.js';

export const TAU = SCORING.tau;
export const SCALE = SCORING.scale;

/**
 * The official distance between two candidates as a number (scoring.ts exposes only the yes/no filter
 * `distinctCandidates`, and the alternative search needs the gap itself): sources scaled by (2, 1, 2),
 * sorted lexicographically, mean Euclidean distance of the matched rows. Test
 * test/solver/estimator-distinct.test.ts holds it to `distinctCandidates` on both sides of tau.
 */
export function candidateDistance(a: Candidate, b: Candidate): number {
  if (a.length !== b.length) return Infinity;
  const sa = scaled(a);
  const sb = scaled(b);
  let sum = 0;
  for (let k = 0; k < sa.length; k++) sum += Math.hypot(sa[k][0] - sb[k][0], sa[k][1] - sb[k][1], sa[k][2] - sb[k][2]);
  return sum / sa.length;
}

function scaled(c: Candidate): number[][] {
  return c
    .map(([x, y, q]) => [x / SCALE[0], y / SCALE[1], q / SCALE[2]])
    .sort((p, r) => p[0] - r[0] || p[1] - r[1] || p[2] - r[2]);
}
