// Bounded Levenberg–Marquardt for small least-squares problems with a closed-form Jacobian.
import { Matrix, solve } from 'ml-matrix';

/**
 * Bounded, projected Levenberg–Marquardt for small least-squares problems whose Jacobian is cheap in closed
 * form (the estimator's response tables give it for about twice the cost of the readings themselves). Works
 * on the normal equations, so the caller never hands over the long residual vector. Hand-written: the npm
 * package `ml-levenberg-marquardt` differentiates numerically (n + 1 model evaluations per iteration, the
 * cost this module exists to avoid) and knows neither box bounds nor a feasibility projection.
 */
export interface Linearization {
  /** Residual sum of squares ‖r‖² with r = data − model. */
  f: number;
  /** JᵀJ (n×n, row-major), J = ∂model/∂x. */
  JtJ: Float64Array;
  /** Jᵀr: the direction of steepest descent of f, halved. */
  Jtr: Float64Array;
}

export interface LmOptions {
  x0: readonly number[];
  lower: readonly number[];
  upper: readonly number[];
  /** Maps a trial point (already inside the box) onto the feasible set, e.g. outside balls to avoid; must keep it inside the box. */
  project?: (x: number[]) => number[];
  /**
   * The outward normal of a constraint active at x (e.g. ∇ of the distance to a ball's centre when x lies on
   * its surface), or null. A step that would enter the constraint is then taken in the tangent plane
   * (a bordered Gauss–Newton system): projecting the unconstrained step, which points inwards at the centre,
   * would barely move along the surface and stop the search early.
   */
  activeNormal?: (x: number[]) => number[] | null;
  maxIterations: number;
  /** Stop once an accepted step lowers f by less than this. */
  tolF?: number;
}

export interface LmResult {
  x: number[];
  f: number;
  iterations: number;
}

export function levenbergMarquardt(linearize: (x: number[]) => Linearization, opts: LmOptions): LmResult {
  const n = opts.x0.length;
  const clip = (x: number[]) => x.map((v, i) => Math.min(opts.upper[i], Math.max(opts.lower[i], v)));
  const feasible = (x: number[]) => (opts.project ? opts.project(clip(x)) : clip(x));
  let x = feasible(opts.x0.slice());
  let lin = linearize(x);
  // Nielsen's damping update: λ follows the ratio of the actual to the predicted decrease.
  let lambda = 1e-3;
  let nu = 2;
  let iterations = 0;
  while (iterations < opts.maxIterations) {
    iterations++;
    // A coordinate at a bound whose descent direction points out of the box stays fixed this step.
    const free: number[] = [];
    for (let p = 0; p < n; p++) {
      const blocked = (x[p] <= opts.lower[p] && lin.Jtr[p] < 0) || (x[p] >= opts.upper[p] && lin.Jtr[p] > 0);
      if (!blocked) free.push(p);
    }
    if (free.length === 0) break;
    let delta = dampedStep(lin, free, n, lambda, null);
    if (!delta) break;
    const normal = opts.activeNormal?.(x);
    if (normal && free.reduce((a, p) => a + normal[p] * delta![p], 0) < 0)
      delta = dampedStep(lin, free, n, lambda, normal);
    if (!delta) break;
    const trial = feasible(x.map((v, p) => v + delta[p]));
    const next = linearize(trial);
    let predicted = 0;
    for (const p of free)
      predicted += delta[p] * (lin.Jtr[p] + lambda * Math.max(lin.JtJ[p * n + p], 1e-300) * delta[p]);
    const gain = next.f < lin.f ? (lin.f - next.f) / Math.max(predicted, 1e-300) : -1;
    if (gain > 0) {
      const decrease = lin.f - next.f;
      x = trial;
      lin = next;
      lambda *= Math.max(1 / 3, 1 - (2 * gain - 1) ** 3);
      nu = 2;
      if (opts.tolF !== undefined && decrease < opts.tolF) break;
    } else {
      lambda *= nu;
      nu *= 2;
      if (lambda > 1e12) break;
    }
  }
  return { x, f: lin.f, iterations };
}

/**
 * Solves (JᵀJ + λ·diag(JᵀJ))δ = Jᵀr over the free coordinates (Marquardt's scaling keeps it unit-free); with a
 * normal ν, subject to ν·δ = 0 (one Lagrange multiplier borders the system).
 */
function dampedStep(
  lin: Linearization,
  free: number[],
  n: number,
  lambda: number,
  normal: number[] | null,
): number[] | null {
  const f = free.length;
  const size = normal ? f + 1 : f;
  const A = new Matrix(size, size);
  const b = new Matrix(size, 1);
  let maxDiag = 0;
  for (const p of free) maxDiag = Math.max(maxDiag, lin.JtJ[p * n + p]);
  if (!(maxDiag > 0)) return null;
  free.forEach((p, a) => {
    b.set(a, 0, lin.Jtr[p]);
    free.forEach((q, c) => A.set(a, c, lin.JtJ[p * n + q]));
    A.set(a, a, lin.JtJ[p * n + p] + lambda * Math.max(lin.JtJ[p * n + p], 1e-12 * maxDiag));
  });
  if (normal) {
    free.forEach((p, a) => {
      A.set(a, f, normal[p]);
      A.set(f, a, normal[p]);
    });
  }
  const sol = solve(A, b);
  const delta = new Array<number>(n).fill(0);
  free.forEach((p, a) => (delta[p] = sol.get(a, 0)));
  return delta.every(Number.isFinite) ? delta : null;
}
