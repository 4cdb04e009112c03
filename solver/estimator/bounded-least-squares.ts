/**
 * Intensities q for fixed source positions: minimise ‖y − Σ q_i r_i‖² subject to lo ≤ q_i ≤ hi, given the
 * normal equations G = RᵀR, b = Rᵀy, c = yᵀy. With one or two sources (three at most) the exact box-constrained
 * optimum is found by trying every active set (free / at lower / at upper per source): 3^k tiny solves, cheaper
 * and more exact than an iterative QP, and it never returns a q outside the competition's range.
 */
export interface BoundedLsResult {
  q: number[];
  /** Residual sum of squares ‖y − Rq‖² (clamped at 0 against round-off). */
  rss: number;
}

export function boundedLeastSquares(
  G: ArrayLike<number>,
  b: ArrayLike<number>,
  c: number,
  lo: number,
  hi: number,
): BoundedLsResult {
  const k = b.length;
  if (k === 0) return { q: [], rss: c };
  const value = (q: number[]): number => {
    let v = c;
    for (let i = 0; i < k; i++) {
      v -= 2 * q[i] * b[i];
      for (let j = 0; j < k; j++) v += q[i] * G[i * k + j] * q[j];
    }
    return v;
  };
  let best: number[] | null = null;
  let bestValue = Infinity;
  const combos = 3 ** k;
  for (let code = 0; code < combos; code++) {
    const state: number[] = [];
    for (let i = 0, r = code; i < k; i++, r = Math.floor(r / 3)) state.push(r % 3);
    const q = state.map((s) => (s === 1 ? lo : s === 2 ? hi : 0));
    const free = state.flatMap((s, i) => (s === 0 ? [i] : []));
    if (free.length > 0 && !solveFree(G, b, q, free, k)) continue;
    if (free.some((i) => q[i] < lo - 1e-12 || q[i] > hi + 1e-12)) continue;
    const v = value(q);
    if (v < bestValue) {
      bestValue = v;
      best = q;
    }
  }
  const q = (best ?? new Array<number>(k).fill(lo)).map((v) => Math.min(hi, Math.max(lo, v)));
  return { q, rss: Math.max(0, value(q)) };
}

/** Solves the free variables' normal equations (fixed ones moved to the right-hand side) by Gaussian elimination. */
function solveFree(G: ArrayLike<number>, b: ArrayLike<number>, q: number[], free: number[], k: number): boolean {
  const f = free.length;
  const A = new Float64Array(f * f);
  const rhs = new Float64Array(f);
  for (let a = 0; a < f; a++) {
    const i = free[a];
    let r = b[i];
    for (let j = 0; j < k; j++) if (!free.includes(j)) r -= G[i * k + j] * q[j];
    rhs[a] = r;
    for (let bIdx = 0; bIdx < f; bIdx++) A[a * f + bIdx] = G[i * k + free[bIdx]];
  }
  for (let col = 0; col < f; col++) {
    let pivot = col;
    for (let row = col + 1; row < f; row++) if (Math.abs(A[row * f + col]) > Math.abs(A[pivot * f + col])) pivot = row;
    if (Math.abs(A[pivot * f + col]) < 1e-300) return false;
    if (pivot !== col) {
      for (let j = 0; j < f; j++) [A[col * f + j], A[pivot * f + j]] = [A[pivot * f + j], A[col * f + j]];
      [rhs[col], rhs[pivot]] = [rhs[pivot], rhs[col]];
    }
    for (let row = col + 1; row < f; row++) {
      const m = A[row * f + col] / A[col * f + col];
      for (let j = col; j < f; j++) A[row * f + j] -= m * A[col * f + j];
      rhs[row] -= m * rhs[col];
    }
  }
  for (let row = f - 1; row >= 0; row--) {
    let s = rhs[row];
    for (let j = row + 1; j < f; j++) s -= A[row * f + j] * q[free[j]];
    q[free[row]] = s / A[row * f + row];
  }
  return true;
}
