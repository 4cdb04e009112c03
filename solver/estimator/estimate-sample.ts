// Estimates one sample's heat sources: searches source sets and returns the best distinct candidates.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Dataset, Sample } from '../dataset.js';
import type { ExperimentConfig } from '../experiment-config.js';
import { Heat2D } from '../heat2d.js';
import { createRng, type Rng } from '../rng.js';
import { distinctCandidates, type Candidate } from '../scoring.js';
import { cmaes } from './cma-es.js';
import { candidateDistance, SCALE, TAU } from './distinct.js';
import { Fitter, type Fit } from './fitter.js';
import { gridScan, hottestSensors, weightedCentroid, type InitContext } from './inits.js';
import { levenbergMarquardt } from './levenberg-marquardt.js';
import { nelderMead } from './nelder-mead.js';
import { ResponseModel } from './response-model.js';

export interface EstimateResult {
  /** Up to config.maxCandidates source sets [[x, y, q], …], best first, pairwise distinct under the official rule. */
  candidates: Candidate[];
  /** Forward-simulation equivalents spent: adjoint passes, the T0 baseline run, response lookups at their relative cost. */
  simulations: number;
  seconds: number;
}

/**
 * Nelder–Mead stops once its simplex's misfits differ by less than this share of ‖y‖² (an RMSE change of
 * ~1e-4 of the signal): further steps no longer move the score.
 */
const CONVERGED = 1e-9;

/** Plate size of the competition (Heat2D's defaults). */
const LX = 2;
const LY = 1;

/**
 * Estimates the heat sources of one sample. Synchronous and pure: the same sample, config and seed give the
 * same candidates. Stages (ARCHITECTURE "The solver's structure"):
 *  1. adjoint response tables for a coarse, early-time search model and the full model;
 *  2. starting points (lattice scan, hottest sensors, weighted centroid) and CMA-ES over positions only,
 *     q by bounded least squares;
 *  3. re-rank the best distinct search results on the full model and polish them with Nelder–Mead;
 *     re-search when the best fit is still poor;
 *  4. extra candidates: the best fits that stay distinct (official rule) from those already kept, kept only
 *     when they are expected to raise the sample's score.
 */
export function estimateSample(
  sample: Sample,
  meta: Dataset['meta'],
  config: ExperimentConfig,
  opts: { seed?: number } = {},
): EstimateResult {
  const started = performance.now();
  const md = sample.sample_metadata;
  const k = sample.n_sources;
  const sensors = sample.sensors_xy;
  const m = sensors.length;
  const nt = md.nt;
  const qRange = [meta.q_range[0], meta.q_range[1]] as const;
  const rng = createRng(sampleSeed(opts.seed ?? config.seed, String(sample.sample_id)));

  const observed = new Float64Array((nt + 1) * m);
  sample.Y_noisy.forEach((row, n) => row.forEach((v, s) => (observed[n * m + s] = v)));
  let simulations = 0;
  if (md.T0 !== 0) {
    // The map is affine: remove the source-free evolution of T0 once, then everything is linear in q.
    const base = new Heat2D({ kappa: md.kappa, bc: md.bc, dt: meta.dt }).simulate([], sensors, nt, { T0: md.T0 });
    for (let i = 0; i < observed.length; i++) observed[i] -= base[i];
    simulations++;
  }

  const full = new ResponseModel({
    kappa: md.kappa,
    bc: md.bc,
    dt: meta.dt,
    sensors,
    steps: nt,
    stride: strideFor(nt, config.fullStride),
    radius: config.responseRadius,
  });
  const searchSteps = Math.max(1, Math.min(nt, Math.ceil(config.searchTimeFraction * nt)));
  const sameGrid = config.searchNx === full.heat.nx && config.searchNy === full.heat.ny;
  const coarse =
    sameGrid && searchSteps === nt && strideFor(nt, config.searchStride) === strideFor(nt, config.fullStride)
      ? full
      : new ResponseModel({
          kappa: md.kappa,
          bc: md.bc,
          dt: meta.dt,
          sensors,
          steps: searchSteps,
          stride: strideFor(searchSteps, config.searchStride),
          nx: config.searchNx,
          ny: config.searchNy,
          sigma: full.heat.sigma,
          radius: config.responseRadius,
        });
  const search = new Fitter(coarse, observed, qRange);
  const exact = new Fitter(full, observed, qRange);

  const lower = new Array<number>(2 * k).fill(0);
  const upper = Array.from({ length: 2 * k }, (_, i) => (i % 2 === 0 ? LX : LY));
  const scales = upper.slice();
  const ctx: InitContext = { Lx: LX, Ly: LY, sensors, y: search.y, m };

  // 2. global search over positions.
  const starts = startingPoints(k, config, search, ctx);
  const nStarts = k === 1 ? config.starts1 : config.starts2;
  const fevals = k === 1 ? config.fevals1 : config.fevals2;
  const pool: Fit[] = [];
  const runSearch = (x0: number[], sigma0: number) => {
    const result = cmaes((pos) => search.fit(pos).rss, {
      x0,
      sigma0,
      scales,
      lower,
      upper,
      popsize: config.popsize || undefined,
      maxEvals: fevals,
      rng,
    });
    for (const h of result.history) pool.push({ pos: h.x, q: [], rss: h.f });
  };
  for (let s = 0; s < Math.min(nStarts, starts.length); s++) runSearch(starts[s], config.sigma0);
  for (let s = starts.length; s < nStarts; s++) runSearch(randomPositions(k, rng), config.sigma0 * 2);

  // 3. re-rank and polish on the full model.
  const polishEvals = k === 1 ? config.polishEvals1 : config.polishEvals2;
  const polish = (pos: number[]): Fit => {
    if (config.localOptimizer === 'lm') {
      const bounds = sourceBounds(k, qRange);
      const result = levenbergMarquardt((p) => exact.linearize(p), {
        x0: toCandidate(exact.fit(pos)).flat(),
        ...bounds,
        maxIterations: config.polishIterations,
        tolF: CONVERGED * exact.yy,
      });
      return exact.fit(result.x.filter((_, p) => p % 3 !== 2));
    }
    const result = nelderMead((p) => exact.fit(p).rss, {
      x0: pos,
      step: pos.map((_, i) => (i % 2 === 0 ? 0.02 * LX : 0.02 * LY)),
      lower,
      upper,
      maxEvals: polishEvals,
      tolF: CONVERGED * exact.yy,
    });
    return exact.fit(result.x);
  };
  const finals: Fit[] = pickDistinctPositions(pool, Math.max(1, config.polishTopK), 0.05).map((f) => polish(f.pos));
  finals.sort((a, b) => a.rss - b.rss);

  const excess = k === 1 ? config.fallbackExcess1 : config.fallbackExcess2;
  // rmse² ≈ noise² + misfit² against the clean readings, so the misfit is estimated as √(rmse² − noise²).
  const misfit = (fit: Fit) => Math.sqrt(Math.max(0, exact.rmse(fit.rss) ** 2 - md.noise_std ** 2));
  if (finals.length === 0 || misfit(finals[0]) > excess) {
    for (let s = 0; s < config.fallbackStarts; s++) {
      const before = pool.length;
      runSearch(randomPositions(k, rng), config.sigma0 * 2);
      const fresh = pool.slice(before).sort((a, b) => a.rss - b.rss)[0];
      if (fresh) finals.push(polish(fresh.pos));
    }
    finals.sort((a, b) => a.rss - b.rss);
  }

  // 4. distinct extra candidates.
  let bestCand = toCandidate(finals[0] ?? exact.fit(randomPositions(k, rng)));
  let others = finals.slice(1).map(toCandidate);
  let extras = extraCandidates(exact, bestCand, others, config, qRange);
  // With x, y and q all free, an extra candidate can land in a deeper basin than the position search found
  // (seen on generated samples): it then becomes the best and the extras are searched again around it, once.
  const bestRss = exact.rssOf(bestCand);
  const deeper = extras.kept
    .slice(1)
    .map((cand) => ({ cand, rss: exact.rssOf(cand) }))
    .filter((c) => c.rss < bestRss)
    .sort((a, b) => a.rss - b.rss)[0];
  if (deeper) {
    others = [bestCand, ...others];
    bestCand = deeper.cand;
    extras = extraCandidates(exact, bestCand, others, config, qRange);
  }
  const chosen = bestSubset(extras.kept, extras.expectedError);

  // One backward pass per sensor and table; lookups at their measured cost (nt = 1000, 4 sensors: a
  // full-model lookup 0.70 ms, a search-model lookup 0.06 ms, a 100×50 simulation 42 ms).
  simulations += coarse === full ? m : 2 * m;
  simulations += Math.ceil(exact.evaluations / 60 + (coarse === full ? 0 : search.evaluations / 700));
  return { candidates: chosen, simulations, seconds: (performance.now() - started) / 1000 };
}

/** The configured stride, reduced so a short run still keeps at least 20 fitted steps. */
function strideFor(steps: number, stride: number): number {
  return Math.max(1, Math.min(stride, Math.floor(steps / 20)));
}

/**
 * Up to maxCandidates − 1 extra candidates after `best`, each the best fit distinct from all kept so far,
 * with each one's expected RMSE (its readings' distance from the best fit's readings).
 */
function extraCandidates(
  exact: Fitter,
  best: Candidate,
  others: Candidate[],
  config: ExperimentConfig,
  qRange: readonly [number, number],
): { kept: Candidate[]; expectedError: number[] } {
  const kept: Candidate[] = [best];
  const expectedError: number[] = [0];
  if (config.maxCandidates < 2 || config.altStarts === 0) return { kept, expectedError };
  const bestPrediction = exact.predict(best);
  const starts = [
    ...others,
    ...valleyDirections(exact, best).map((d) => offset(best, d, TAU * (1 + config.distinctMargin))),
  ];
  while (kept.length < config.maxCandidates) {
    const alt = alternative(exact, kept, starts, config, qRange);
    if (!alt) break;
    const prediction = exact.predict(alt);
    let diff = 0;
    for (let i = 0; i < prediction.length; i++) diff += (prediction[i] - bestPrediction[i]) ** 2;
    kept.push(alt);
    expectedError.push(Math.sqrt(diff / prediction.length));
  }
  return { kept, expectedError };
}

/** Starting position vectors, best first: lattice minima, hottest sensors, centroid (k-subsets of them for k sources). */
function startingPoints(k: number, config: ExperimentConfig, search: Fitter, ctx: InitContext): number[][] {
  const singles: [number, number][] = [];
  if (config.inits.includes('grid')) {
    for (const p of gridScan(search, ctx.Lx, ctx.Ly, config.gridNx, config.gridNy).slice(0, 6))
      singles.push([p.x, p.y]);
  }
  if (config.inits.includes('hottest')) singles.push(...hottestSensors(ctx).slice(0, 2));
  if (config.inits.includes('centroid')) singles.push(weightedCentroid(ctx));
  return rankStarts(
    combinations(singles.length, k).map((set) => set.flatMap((i) => singles[i])),
    search,
  );
}

/** All k-subsets of 0..n−1 (n ≤ 9 single starts, so at most 84 for k = 3). */
function combinations(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (let first = 0; first <= n - k; first++) {
    for (const rest of combinations(n - first - 1, k - 1)) out.push([first, ...rest.map((i) => i + first + 1)]);
  }
  return out;
}

function rankStarts(starts: number[][], search: Fitter): number[][] {
  return starts
    .map((pos) => ({ pos, rss: search.fit(pos).rss }))
    .sort((a, b) => a.rss - b.rss)
    .map(({ pos }) => pos);
}

function randomPositions(k: number, rng: Rng): number[] {
  return Array.from({ length: 2 * k }, (_, i) => (i % 2 === 0 ? LX : LY) * (0.05 + 0.9 * rng.next()));
}

/** The best fits whose positions differ (scaled, permutation-invariant) by more than `minDistance`. */
function pickDistinctPositions(pool: Fit[], count: number, minDistance: number): Fit[] {
  const sorted = pool.slice().sort((a, b) => a.rss - b.rss);
  const picked: Fit[] = [];
  for (const f of sorted) {
    if (picked.length >= count) break;
    if (picked.every((p) => positionDistance(p.pos, f.pos) > minDistance)) picked.push(f);
  }
  return picked;
}

function positionDistance(a: number[], b: number[]): number {
  const ca: Candidate = [];
  const cb: Candidate = [];
  for (let i = 0; i + 1 < a.length; i += 2) {
    ca.push([a[i], a[i + 1], 0]);
    cb.push([b[i], b[i + 1], 0]);
  }
  return candidateDistance(ca, cb);
}

function toCandidate(fit: Fit): Candidate {
  return fit.q.map((q, s) => [fit.pos[2 * s], fit.pos[2 * s + 1], q]);
}

/**
 * Directions (in the official scaled coordinates x/2, y/1, q/2) along which the misfit grows slowest:
 * eigenvectors of the Gauss–Newton matrix JᵀJ at the best candidate, smallest first. The cheapest distinct
 * alternative usually lies one distinctness radius along one of them.
 */
function valleyDirections(fitter: Fitter, cand: Candidate): number[][] {
  const base = fitter.predict(cand);
  const params = cand.flat();
  const n = params.length;
  const J: Float64Array[] = [];
  for (let p = 0; p < n; p++) {
    const h = 1e-4 * SCALE[p % 3];
    const shifted = params.slice();
    shifted[p] += h;
    const pred = fitter.predict(toSources(shifted));
    const col = new Float64Array(base.length);
    for (let i = 0; i < col.length; i++) col[i] = ((pred[i] - base[i]) / h) * SCALE[p % 3];
    J.push(col);
  }
  const H = new Matrix(n, n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < base.length; i++) s += J[a][i] * J[b][i];
      H.set(a, b, s);
      H.set(b, a, s);
    }
  }
  const evd = new EigenvalueDecomposition(H, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const dirs: number[][] = [];
  for (const { i } of order) {
    const v = evd.eigenvectorMatrix.getColumn(i);
    dirs.push(
      v,
      v.map((x) => -x),
    );
  }
  return dirs;
}

/**
 * cand moved along a scaled direction until its official distance from cand is `radius` (that distance is a
 * mean of per-source norms, not the direction's Euclidean norm, so a spread direction needs a longer step).
 */
function offset(cand: Candidate, dir: number[], radius: number): Candidate {
  const move = (t: number) => toSources(cand.flat().map((v, p) => v + t * dir[p] * SCALE[p % 3]));
  const unit = candidateDistance(move(1), cand);
  return move(unit > 0 && Number.isFinite(unit) ? radius / unit : radius);
}

function toSources(params: number[]): Candidate {
  const out: Candidate = [];
  for (let i = 0; i + 2 < params.length; i += 3) out.push([params[i], params[i + 1], params[i + 2]]);
  return out;
}

/**
 * The best fit (x, y and q all free) at distance ≥ tau·(1 + margin) from every kept candidate: an exact
 * penalty keeps the search outside their balls; Nelder–Mead polishes the most promising starts.
 */
function alternative(
  fitter: Fitter,
  kept: Candidate[],
  starts: Candidate[],
  config: ExperimentConfig,
  qRange: readonly [number, number],
): Candidate | null {
  const radius = TAU * (1 + config.distinctMargin);
  const { lower, upper } = sourceBounds(kept[0].length, qRange);
  const clip = (params: number[]) => params.map((v, p) => Math.min(upper[p], Math.max(lower[p], v)));
  let best: { params: number[]; f: number } | null = null;
  if (config.localOptimizer === 'lm') {
    // Projected Levenberg–Marquardt: every trial point is pushed radially out of the kept candidates' balls
    // (the official distance is homogeneous in the displacement while the sources' order holds), so the
    // search slides along the distinctness sphere towards its lowest misfit.
    const project = (params: number[]) => {
      let p = clip(params);
      for (let round = 0; round < 4; round++) {
        let moved = false;
        for (const c of kept) {
          const gap = candidateDistance(toSources(p), c);
          if (gap >= radius || gap === 0) continue;
          const centre = c.flat();
          p = clip(p.map((v, i) => centre[i] + ((v - centre[i]) * radius * (1 + 1e-9)) / gap));
          moved = true;
        }
        if (!moved) break;
      }
      return p;
    };
    // On (or just outside) the nearest kept candidate's sphere: its outward normal, by central differences of the
    // official distance (cheap: no response lookups).
    const activeNormal = (params: number[]) => {
      const cand = toSources(params);
      const gaps = kept.map((c) => candidateDistance(cand, c));
      const nearest = gaps.indexOf(Math.min(...gaps));
      if (gaps[nearest] > radius * 1.001) return null;
      return params.map((_, p) => {
        const h = 1e-6 * SCALE[p % 3];
        const plus = params.slice();
        const minus = params.slice();
        plus[p] += h;
        minus[p] -= h;
        return (
          (candidateDistance(toSources(plus), kept[nearest]) - candidateDistance(toSources(minus), kept[nearest])) /
          (2 * h)
        );
      });
    };
    const ranked = starts
      .map((c) => project(c.flat()))
      .map((params) => ({ params, f: fitter.rssOf(toSources(params)) }))
      .sort((a, b) => a.f - b.f)
      .slice(0, config.altStarts);
    for (const start of ranked) {
      const result = levenbergMarquardt((p) => fitter.linearize(p), {
        x0: start.params,
        lower,
        upper,
        project,
        activeNormal,
        maxIterations: config.altIterations,
        tolF: CONVERGED * fitter.yy,
      });
      if (!best || result.f < best.f) best = { params: result.x, f: result.f };
    }
  } else {
    const penaltyScale = 10 * fitter.yy;
    const objective = (params: number[]) => {
      const cand = toSources(params);
      const gap = Math.min(...kept.map((c) => candidateDistance(cand, c)));
      const rss = fitter.rssOf(cand);
      return gap >= radius ? rss : rss + penaltyScale * (1 + (radius - gap) / radius);
    };
    const ranked = starts
      .map((c) => clip(c.flat()))
      .map((params) => ({ params, f: objective(params) }))
      .sort((a, b) => a.f - b.f)
      .slice(0, config.altStarts);
    for (const start of ranked) {
      const result = nelderMead(objective, {
        x0: start.params,
        step: start.params.map((_, p) => 0.05 * SCALE[p % 3]),
        lower,
        upper,
        maxEvals: config.altEvals,
        tolF: CONVERGED * fitter.yy,
      });
      if (!best || result.f < best.f) best = { params: result.x, f: result.f };
    }
  }
  if (!best) return null;
  const cand = toSources(best.params);
  return distinctCandidates([...kept, cand], TAU, kept.length + 1).length === kept.length + 1 ? cand : null;
}

/** Box of the flat source parameters [x1, y1, q1, …]: the plate and the competition's q range. */
function sourceBounds(k: number, qRange: readonly [number, number]): { lower: number[]; upper: number[] } {
  const n = 3 * k;
  return {
    lower: Array.from({ length: n }, (_, p) => (p % 3 === 2 ? qRange[0] : 0)),
    upper: Array.from({ length: n }, (_, p) => (p % 3 === 2 ? qRange[1] : p % 3 === 0 ? LX : LY)),
  };
}

/**
 * The subset (always containing the best) that maximises the expected official score
 * mean(1/(1+RMSE)) + 0.3·n/3, with each extra candidate's RMSE estimated as its distance from the best fit's
 * predicted readings (the best fit stands in for the clean readings).
 */
function bestSubset(cands: Candidate[], errors: number[]): Candidate[] {
  let bestScore = -Infinity;
  let bestSet: number[] = [0];
  const extra = cands.length - 1;
  for (let mask = 0; mask < 1 << extra; mask++) {
    const set = [0];
    for (let i = 0; i < extra; i++) if (mask & (1 << i)) set.push(i + 1);
    const score = set.reduce((a, i) => a + 1 / (1 + errors[i]), 0) / set.length + 0.1 * set.length;
    if (score > bestScore + 1e-12) {
      bestScore = score;
      bestSet = set;
    }
  }
  return bestSet.map((i) => cands[i]);
}

/** A per-sample seed from the run's seed and the sample id (FNV-1a), so samples do not share a stream. */
function sampleSeed(seed: number, id: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}
