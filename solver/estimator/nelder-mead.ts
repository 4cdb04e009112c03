/**
 * Bounded Nelder–Mead simplex (adaptive coefficients of Gao & Han 2012) for the local polish of a few
 * candidates. Hand-written: the only npm implementation (`fmin`) is unmaintained since 2017, untyped and
 * unbounded; this one clips every trial point into the box and is ~60 lines.
 */
export interface NelderMeadOptions {
  x0: number[];
  /** Initial simplex edge per coordinate. */
  step: number[];
  lower: number[];
  upper: number[];
  maxEvals: number;
  /** Stop when the simplex's spread of values falls below this. */
  tolF?: number;
}

export interface NelderMeadResult {
  x: number[];
  f: number;
  evals: number;
}

export function nelderMead(f: (x: number[]) => number, opts: NelderMeadOptions): NelderMeadResult {
  const n = opts.x0.length;
  const clip = (x: number[]): number[] => x.map((v, i) => Math.min(opts.upper[i], Math.max(opts.lower[i], v)));
  let evals = 0;
  const evaluate = (x: number[]): { x: number[]; f: number } => {
    const c = clip(x);
    evals++;
    return { x: c, f: f(c) };
  };
  const alpha = 1;
  const beta = 1 + 2 / n;
  const gamma = 0.75 - 1 / (2 * n);
  const delta = 1 - 1 / n;

  const simplex = [evaluate(opts.x0)];
  for (let i = 0; i < n; i++) {
    const x = opts.x0.slice();
    // Step away from the nearer bound so the vertex is not clipped onto the start point.
    x[i] += x[i] + opts.step[i] > opts.upper[i] ? -opts.step[i] : opts.step[i];
    simplex.push(evaluate(x));
  }
  while (evals < opts.maxEvals) {
    simplex.sort((a, b) => a.f - b.f);
    const bestF = simplex[0].f;
    const worst = simplex[n];
    if (opts.tolF !== undefined && worst.f - bestF < opts.tolF) break;
    const centroid = new Array<number>(n).fill(0);
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) centroid[i] += simplex[k].x[i] / n;
    const along = (t: number): number[] => centroid.map((c, i) => c + t * (c - worst.x[i]));

    const r = evaluate(along(alpha));
    if (r.f < bestF) {
      const e = evaluate(along(beta));
      simplex[n] = e.f < r.f ? e : r;
    } else if (r.f < simplex[n - 1].f) {
      simplex[n] = r;
    } else {
      const c = r.f < worst.f ? evaluate(along(gamma)) : evaluate(along(-gamma));
      if (c.f < Math.min(r.f, worst.f)) {
        simplex[n] = c;
      } else {
        for (let k = 1; k <= n; k++) {
          simplex[k] = evaluate(simplex[k].x.map((v, i) => simplex[0].x[i] + delta * (v - simplex[0].x[i])));
        }
      }
    }
  }
  simplex.sort((a, b) => a.f - b.f);
  return { x: simplex[0].x, f: simplex[0].f, evals };
}
