// A seeded CMA-ES minimiser for the estimator's small, box-bounded searches.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * CMA-ES (Hansen's (mu/mu_w, lambda) scheme with rank-one and rank-mu updates) for small, box-bounded problems.
 *
 * Hand-written on purpose: no maintained npm package implements CMA-ES (the registry has only abandoned
 * experiments), and the estimator needs a seeded, synchronous, allocation-light version for 2–6 dimensions.
 * The eigendecomposition of the covariance comes from ml-matrix.
 */

export interface Random {
  next(): number;
  normal(): number;
}

export interface CmaOptions {
  /** Starting mean (inside the box). */
  x0: number[];
  /** Step size, in the same units as x0 (scaled per coordinate by `scales` if given). */
  sigma0: number;
  /** Per-coordinate scale of the initial step (default 1 each). */
  scales?: number[];
  lower: number[];
  upper: number[];
  /** Population size; default 4 + floor(3 ln n). */
  popsize?: number;
  /** Maximal number of objective evaluations. */
  maxEvals: number;
  /** Stop when the best value is below this. */
  target?: number;
  /** Stop when sigma × the largest axis is below this (in x units). */
  tolX?: number;
  rng: Random;
}

export interface CmaResult {
  x: number[];
  f: number;
  evals: number;
  /** Every evaluated point with its value (the candidate pool feeds on these). */
  history: { x: number[]; f: number }[];
}

/** Minimises `f` over the box; points are clipped into the box before evaluation (bounds are hard). */
export function cmaes(f: (x: number[]) => number, opts: CmaOptions): CmaResult {
  const n = opts.x0.length;
  const lambda = opts.popsize ?? 4 + Math.floor(3 * Math.log(n));
  const mu = Math.floor(lambda / 2);
  const rawWeights = Array.from({ length: mu }, (_, i) => Math.log(mu + 0.5) - Math.log(i + 1));
  const wSum = rawWeights.reduce((a, b) => a + b, 0);
  const weights = rawWeights.map((w) => w / wSum);
  const mueff = 1 / weights.reduce((a, w) => a + w * w, 0);
  const cc = (4 + mueff / n) / (n + 4 + (2 * mueff) / n);
  const cs = (mueff + 2) / (n + mueff + 5);
  const c1 = 2 / ((n + 1.3) ** 2 + mueff);
  const cmu = Math.min(1 - c1, (2 * (mueff - 2 + 1 / mueff)) / ((n + 2) ** 2 + mueff));
  const damps = 1 + 2 * Math.max(0, Math.sqrt((mueff - 1) / (n + 1)) - 1) + cs;
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  const scales = opts.scales ?? new Array<number>(n).fill(1);

  // Work in normalised coordinates z = x / scale so the initial covariance is the identity.
  let mean = opts.x0.map((v, i) => v / scales[i]);
  let sigma = opts.sigma0;
  const pc = new Array<number>(n).fill(0);
  const ps = new Array<number>(n).fill(0);
  let C = Matrix.eye(n, n);
  let B = Matrix.eye(n, n);
  let D = new Array<number>(n).fill(1);
  let eigenAge = 0;

  const toX = (z: number[]): number[] =>
    z.map((v, i) => Math.min(opts.upper[i], Math.max(opts.lower[i], v * scales[i])));

  const history: { x: number[]; f: number }[] = [];
  let best = { x: toX(mean), f: Infinity };
  let evals = 0;
  let generation = 0;

  while (evals + lambda <= opts.maxEvals || (evals === 0 && opts.maxEvals > 0)) {
    generation++;
    const pop: { z: number[]; y: number[]; f: number }[] = [];
    for (let k = 0; k < lambda && evals < opts.maxEvals; k++) {
      const u = Array.from({ length: n }, () => opts.rng.normal());
      const y = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += B.get(i, j) * D[j] * u[j];
        y[i] = s;
      }
      const z = mean.map((m, i) => m + sigma * y[i]);
      const x = toX(z);
      // Clipped coordinates are what was evaluated: learn from them, so the mean does not drift outside the box.
      const zc = x.map((v, i) => v / scales[i]);
      const yc = zc.map((v, i) => (v - mean[i]) / sigma);
      const fx = f(x);
      evals++;
      history.push({ x, f: fx });
      if (fx < best.f) best = { x, f: fx };
      pop.push({ z: zc, y: yc, f: fx });
    }
    if (pop.length < mu) break;
    pop.sort((a, b) => a.f - b.f);

    const oldMean = mean;
    mean = new Array<number>(n).fill(0);
    for (let k = 0; k < mu; k++) for (let i = 0; i < n; i++) mean[i] += weights[k] * pop[k].z[i];
    const yw = mean.map((m, i) => (m - oldMean[i]) / sigma);

    // C^(-1/2) yw = B D^-1 B^T yw
    const bt = new Array<number>(n).fill(0);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += B.get(i, j) * yw[i];
      bt[j] = s / D[j];
    }
    const invSqrtYw = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += B.get(i, j) * bt[j];
      invSqrtYw[i] = s;
    }
    const csf = Math.sqrt(cs * (2 - cs) * mueff);
    for (let i = 0; i < n; i++) ps[i] = (1 - cs) * ps[i] + csf * invSqrtYw[i];
    const psNorm = Math.hypot(...ps);
    const hsig = psNorm / Math.sqrt(1 - (1 - cs) ** (2 * generation)) / chiN < 1.4 + 2 / (n + 1) ? 1 : 0;
    const ccf = Math.sqrt(cc * (2 - cc) * mueff);
    for (let i = 0; i < n; i++) pc[i] = (1 - cc) * pc[i] + hsig * ccf * yw[i];

    const next = new Matrix(n, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let rankMu = 0;
        for (let k = 0; k < mu; k++) rankMu += weights[k] * pop[k].y[i] * pop[k].y[j];
        const v =
          (1 - c1 - cmu) * C.get(i, j) + c1 * (pc[i] * pc[j] + (1 - hsig) * cc * (2 - cc) * C.get(i, j)) + cmu * rankMu;
        next.set(i, j, v);
        next.set(j, i, v);
      }
    }
    C = next;
    sigma *= Math.exp((cs / damps) * (psNorm / chiN - 1));

    eigenAge++;
    if (eigenAge >= Math.max(1, Math.floor(1 / (10 * n * (c1 + cmu))))) {
      eigenAge = 0;
      const evd = new EigenvalueDecomposition(C, { assumeSymmetric: true });
      B = evd.eigenvectorMatrix;
      D = evd.realEigenvalues.map((e) => Math.sqrt(Math.max(e, 1e-20)));
    }

    if (opts.target !== undefined && best.f <= opts.target) break;
    const maxAxis = Math.max(...D) * sigma * Math.max(...scales);
    if (opts.tolX !== undefined && maxAxis < opts.tolX) break;
    if (!Number.isFinite(sigma) || sigma <= 0) break;
  }
  return { x: best.x, f: best.f, evals, history };
}
