// Starting points for the source search: hottest sensors, weighted centroid, a coarse grid scan.
import type { Fitter } from './fitter.js';

/** Plate and sensors as the starting-point heuristics see them. */
export interface InitContext {
  Lx: number;
  Ly: number;
  sensors: ReadonlyArray<readonly [number, number]>;
  /** Observed readings (rows × m, baseline removed). */
  y: Float64Array;
  m: number;
}

/** Sensors ordered by their summed signal, hottest first: a source is usually near the hottest sensor. */
export function hottestSensors(ctx: InitContext): [number, number][] {
  const total = sensorTotals(ctx);
  return ctx.sensors
    .map((s, i) => ({ s, t: total[i] }))
    .sort((a, b) => b.t - a.t)
    .map(({ s }) => [s[0], s[1]]);
}

/** Sensor positions weighted by their (positive) summed signal. */
export function weightedCentroid(ctx: InitContext): [number, number] {
  const total = sensorTotals(ctx).map((t) => Math.max(0, t) ** 2);
  const sum = total.reduce((a, b) => a + b, 0);
  if (sum === 0) return [ctx.Lx / 2, ctx.Ly / 2];
  let x = 0;
  let y = 0;
  ctx.sensors.forEach((s, i) => {
    x += (total[i] * s[0]) / sum;
    y += (total[i] * s[1]) / sum;
  });
  return [x, y];
}

/**
 * Single-source misfit on a lattice of the plate; returns the lattice's local minima, best first. One
 * lookup per node on the adjoint table, so a 24×12 scan costs about as much as a few simulations.
 */
export function gridScan(
  fitter: Fitter,
  Lx: number,
  Ly: number,
  gx: number,
  gy: number,
): { x: number; y: number; rss: number }[] {
  const values = new Float64Array(gx * gy);
  const at = (i: number, j: number) => [((i + 0.5) * Lx) / gx, ((j + 0.5) * Ly) / gy];
  for (let i = 0; i < gx; i++) {
    for (let j = 0; j < gy; j++) values[i * gy + j] = fitter.fit(at(i, j)).rss;
  }
  const minima: { x: number; y: number; rss: number }[] = [];
  for (let i = 0; i < gx; i++) {
    for (let j = 0; j < gy; j++) {
      const v = values[i * gy + j];
      let isMin = true;
      for (let di = -1; di <= 1 && isMin; di++) {
        for (let dj = -1; dj <= 1; dj++) {
          const a = i + di;
          const b = j + dj;
          if ((di || dj) && a >= 0 && a < gx && b >= 0 && b < gy && values[a * gy + b] < v) {
            isMin = false;
            break;
          }
        }
      }
      if (isMin) {
        const [x, y] = at(i, j);
        minima.push({ x, y, rss: v });
      }
    }
  }
  return minima.sort((a, b) => a.rss - b.rss);
}

function sensorTotals(ctx: InitContext): number[] {
  const total = new Array<number>(ctx.m).fill(0);
  for (let k = 0; k < ctx.y.length; k++) total[k % ctx.m] += ctx.y[k];
  return total;
}
