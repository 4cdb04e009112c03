// The misfit of candidate source positions against one sample's readings, intensities solved by least squares.
import { boundedLeastSquares } from './bounded-least-squares.js';
import type { Linearization } from './levenberg-marquardt.js';
import type { ResponseModel } from './response-model.js';

/** A fit of k sources: positions [x1, y1, x2, y2, …], intensities, and the residual sum of squares. */
export interface Fit {
  pos: number[];
  q: number[];
  rss: number;
}

/**
 * The misfit of candidate sources against one sample's readings, on one response model (one grid, one
 * number of steps). Positions are searched; q follows by box-constrained least squares (the readings are
 * linear in q), which is what made position-only search work on this problem.
 */
export class Fitter {
  readonly model: ResponseModel;
  /** Observed readings minus the T0 baseline at the model's rows (steps 0, stride, … ≤ model.steps). */
  readonly y: Float64Array;
  readonly yy: number;
  readonly qRange: readonly [number, number];
  /** Number of readings compared (rows × sensors). */
  readonly count: number;
  evaluations = 0;

  /** `observed` holds every step, rows × m row-major. */
  constructor(model: ResponseModel, observed: Float64Array, qRange: readonly [number, number]) {
    this.model = model;
    const m = model.m;
    this.count = model.rowCount * m;
    this.y = new Float64Array(this.count);
    for (let r = 0; r < model.rowCount; r++) {
      for (let s = 0; s < m; s++) this.y[r * m + s] = observed[r * model.stride * m + s];
    }
    let yy = 0;
    for (let k = 0; k < this.count; k++) yy += this.y[k] * this.y[k];
    this.yy = yy;
    this.qRange = qRange;
  }

  responses(pos: readonly number[]): Float64Array[] {
    const out: Float64Array[] = [];
    for (let s = 0; s + 1 < pos.length; s += 2) out.push(this.model.respond(pos[s], pos[s + 1]));
    this.evaluations += out.length;
    return out;
  }

  /** Best q for these positions and the resulting misfit. */
  fit(pos: readonly number[]): Fit {
    const R = this.responses(pos);
    const { G, b } = this.normalEquations(R);
    const { q, rss } = boundedLeastSquares(G, b, this.yy, this.qRange[0], this.qRange[1]);
    return { pos: pos.slice(), q, rss };
  }

  /** Misfit of fully specified sources [[x, y, q], …] (no least squares). */
  rssOf(sources: readonly (readonly number[])[]): number {
    const R = this.responses(sources.flatMap(([x, y]) => [x, y]));
    const { G, b } = this.normalEquations(R);
    const k = R.length;
    let v = this.yy;
    for (let i = 0; i < k; i++) {
      v -= 2 * sources[i][2] * b[i];
      for (let j = 0; j < k; j++) v += sources[i][2] * G[i * k + j] * sources[j][2];
    }
    return Math.max(0, v);
  }

  /** Predicted readings of sources [[x, y, q], …]. */
  predict(sources: readonly (readonly number[])[]): Float64Array {
    const R = this.responses(sources.flatMap(([x, y]) => [x, y]));
    const out = new Float64Array(this.count);
    R.forEach((r, i) => {
      for (let k = 0; k < out.length; k++) out[k] += sources[i][2] * r[k];
    });
    return out;
  }

  /**
   * The misfit of sources given as flat parameters [x1, y1, q1, x2, …] with its Gauss–Newton matrix and
   * gradient, from the closed-form derivatives of the response tables (∂/∂x = q·∂R/∂x, ∂/∂q = R).
   */
  linearize(params: readonly number[]): Linearization {
    const k = params.length / 3;
    const n = params.length;
    const columns: Float64Array[] = [];
    const residual = this.y.slice();
    for (let s = 0; s < k; s++) {
      const [x, y, q] = [params[3 * s], params[3 * s + 1], params[3 * s + 2]];
      const g = this.model.respondWithGradient(x, y);
      const cx = g.dx;
      const cy = g.dy;
      for (let i = 0; i < this.count; i++) {
        cx[i] *= q;
        cy[i] *= q;
        residual[i] -= q * g.r[i];
      }
      columns.push(cx, cy, g.r);
    }
    // Counted as two lookups per source: one sweep of the table accumulating two sums.
    this.evaluations += 2 * k;
    let f = 0;
    for (let i = 0; i < this.count; i++) f += residual[i] * residual[i];
    const JtJ = new Float64Array(n * n);
    const Jtr = new Float64Array(n);
    for (let a = 0; a < n; a++) {
      const ca = columns[a];
      let t = 0;
      for (let i = 0; i < this.count; i++) t += ca[i] * residual[i];
      Jtr[a] = t;
      for (let b = 0; b <= a; b++) {
        const cb = columns[b];
        let g = 0;
        for (let i = 0; i < this.count; i++) g += ca[i] * cb[i];
        JtJ[a * n + b] = g;
        JtJ[b * n + a] = g;
      }
    }
    return { f, JtJ, Jtr };
  }

  rmse(rss: number): number {
    return Math.sqrt(rss / this.count);
  }

  private normalEquations(R: Float64Array[]): { G: Float64Array; b: Float64Array } {
    const k = R.length;
    const G = new Float64Array(k * k);
    const b = new Float64Array(k);
    const y = this.y;
    for (let i = 0; i < k; i++) {
      let s = 0;
      const ri = R[i];
      for (let n = 0; n < this.count; n++) s += ri[n] * y[n];
      b[i] = s;
      for (let j = 0; j <= i; j++) {
        const rj = R[j];
        let g = 0;
        for (let n = 0; n < this.count; n++) g += ri[n] * rj[n];
        G[i * k + j] = g;
        G[j * k + i] = g;
      }
    }
    return { G, b };
  }
}
