import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Heat2D, type Bc, type Source } from '../../solver/heat2d.js';
import { fixturesDir } from '../helpers/cli.js';

interface ReferenceCase {
  name: string;
  bc: Bc;
  kappa: number;
  nt: number;
  T0: number;
  sources: Source[];
  sensors: [number, number][];
  Y: number[][];
}
const reference = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'heat2d-reference.json'), 'utf8')) as {
  dt: number;
  grid: { nx: number; ny: number; Lx: number; Ly: number };
  cases: ReferenceCase[];
};

/** max |ΔY| / max |Y| — the measure of agreement with the reference. */
function relativeError(expected: number[][], actual: Float64Array): number {
  const m = expected[0].length;
  let maxDiff = 0;
  let maxAbs = 0;
  expected.forEach((row, k) =>
    row.forEach((value, j) => {
      maxDiff = Math.max(maxDiff, Math.abs(value - actual[k * m + j]));
      maxAbs = Math.max(maxAbs, Math.abs(value));
    }),
  );
  return maxDiff / maxAbs;
}

describe('Heat2D reproduces the organisers’ reference simulator', () => {
  for (const c of reference.cases) {
    it(`case ${c.name} (${c.bc}, kappa ${c.kappa}, nt ${c.nt}) agrees to 1e-9`, () => {
      const solver = new Heat2D({ kappa: c.kappa, bc: c.bc, dt: reference.dt, ...reference.grid });
      const Y = solver.simulate(c.sources, c.sensors, c.nt, { T0: c.T0 });
      expect(Y.length).toBe((c.nt + 1) * c.sensors.length);
      expect(relativeError(c.Y, Y)).toBeLessThanOrEqual(1e-9);
    });
  }
});

/**
 * The scheme written the plain way (dense loops, one line at a time, a fresh Thomas solve per line), to
 * check the optimised sweeps on grids whose sizes leave remainders after the four-line blocks.
 */
function naiveAdi(
  nx: number,
  ny: number,
  bc: Bc,
  kappa: number,
  dt: number,
  sources: Source[],
  sensors: [number, number][],
  nt: number,
): number[][] {
  const dx = 2 / (nx - 1);
  const dy = 1 / (ny - 1);
  const sigma = 2.5 * Math.max(dx, dy);
  const lap = (n: number) => {
    const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let k = 1; k < n - 1; k++) [L[k][k - 1], L[k][k], L[k][k + 1]] = [1, -2, 1];
    if (bc === 'neumann') {
      [L[0][0], L[0][1]] = [-2, 2];
      [L[n - 1][n - 2], L[n - 1][n - 1]] = [2, -2];
    }
    return L;
  };
  const Lx = lap(nx);
  const Ly = lap(ny);
  const r = (kappa * dt) / 2;
  const solve = (L: number[][], d2: number, rhs: number[]) => {
    const n = rhs.length;
    const a = (k: number) => (-r * L[k][k - 1]) / d2;
    const b = (k: number) => 1 - (r * L[k][k]) / d2;
    const c = (k: number) => (-r * L[k][k + 1]) / d2;
    const cp = new Array<number>(n);
    const dp = new Array<number>(n);
    cp[0] = c(0) / b(0);
    dp[0] = rhs[0] / b(0);
    for (let k = 1; k < n; k++) {
      const den = b(k) - a(k) * cp[k - 1];
      cp[k] = k < n - 1 ? c(k) / den : 0;
      dp[k] = (rhs[k] - a(k) * dp[k - 1]) / den;
    }
    const x = new Array<number>(n);
    x[n - 1] = dp[n - 1];
    for (let k = n - 2; k >= 0; k--) x[k] = dp[k] - cp[k] * x[k + 1];
    return x;
  };
  const S = Array.from({ length: nx }, () => new Array<number>(ny).fill(0));
  for (const src of sources) {
    const G = Array.from({ length: nx }, (_, i) =>
      Array.from({ length: ny }, (_, j) =>
        Math.exp(-((i * dx - src.x) ** 2 + (j * dy - src.y) ** 2) / (2 * sigma * sigma)),
      ),
    );
    const sum = G.flat().reduce((p, q) => p + q, 0);
    for (let i = 0; i < nx; i++) for (let j = 0; j < ny; j++) S[i][j] += (G[i][j] * src.q) / (sum * dx * dy);
  }
  for (const row of S) for (let j = 0; j < ny; j++) row[j] *= dt / 2;
  let U = Array.from({ length: nx }, () => new Array<number>(ny).fill(0));
  const read = (F: number[][]) =>
    sensors.map(([x, y]) => {
      const ix = Math.min(Math.max(Math.floor(x / dx), 0), nx - 2);
      const iy = Math.min(Math.max(Math.floor(y / dy), 0), ny - 2);
      const fx = (x - ix * dx) / dx;
      const fy = (y - iy * dy) / dy;
      return (
        (1 - fx) * (1 - fy) * F[ix][iy] +
        fx * (1 - fy) * F[ix + 1][iy] +
        (1 - fx) * fy * F[ix][iy + 1] +
        fx * fy * F[ix + 1][iy + 1]
      );
    });
  const out = [read(U)];
  for (let n = 0; n < nt; n++) {
    const Ustar = Array.from({ length: nx }, () => new Array<number>(ny).fill(0));
    for (let j = 0; j < ny; j++) {
      const rhs = Array.from(
        { length: nx },
        (_, i) => U[i][j] + (r / (dy * dy)) * Ly[j].reduce((sum, l, k) => sum + l * U[i][k], 0) + S[i][j],
      );
      solve(Lx, dx * dx, rhs).forEach((v, i) => (Ustar[i][j] = v));
    }
    U = Array.from({ length: nx }, (_, i) =>
      solve(
        Ly,
        dy * dy,
        Array.from(
          { length: ny },
          (_, j) => Ustar[i][j] + (r / (dx * dx)) * Lx[i].reduce((sum, l, k) => sum + l * Ustar[k][j], 0) + S[i][j],
        ),
      ),
    );
    out.push(read(U));
  }
  return out;
}

describe('Heat2D on any grid size', () => {
  for (const [nx, ny, bc] of [
    [23, 11, 'neumann'],
    [17, 9, 'dirichlet'],
    [6, 3, 'neumann'],
  ] as const) {
    it(`matches the plain ADI scheme on ${nx}×${ny} (${bc})`, () => {
      const sources: Source[] = [
        { x: 0.7, y: 0.35, q: 1.2 },
        { x: 1.4, y: 0.8, q: 0.6 },
      ];
      const sensors: [number, number][] = [
        [0.33, 0.71],
        [1.52, 0.2],
      ];
      const expected = naiveAdi(nx, ny, bc, 0.1, 0.004, sources, sensors, 60);
      const actual = new Heat2D({ kappa: 0.1, bc, dt: 0.004, nx, ny }).simulate(sources, sensors, 60);
      expect(relativeError(expected, actual)).toBeLessThan(1e-12);
    });
  }
});

describe('Heat2D exposes the linear structure', () => {
  const sensors: [number, number][] = [
    [0.5, 0.5],
    [1.2, 0.3],
    [1.8, 0.9],
  ];
  const sources: Source[] = [
    { x: 0.6, y: 0.4, q: 1.3 },
    { x: 1.5, y: 0.7, q: 0.55 },
  ];

  for (const bc of ['dirichlet', 'neumann'] as const) {
    it(`readings from T0 = 0 equal the q-weighted sum of unit responses (${bc})`, () => {
      const solver = new Heat2D({ kappa: 0.1, bc, dt: 0.004 });
      const direct = solver.simulate(sources, sensors, 120);
      const combined = new Float64Array(direct.length);
      for (const src of sources) {
        const unit = solver.unitResponse(src.x, src.y, sensors, 120);
        unit.forEach((value, k) => (combined[k] += src.q * value));
      }
      const scale = Math.max(...direct);
      expect(scale).toBeGreaterThan(0);
      direct.forEach((value, k) => expect(Math.abs(value - combined[k]) / scale).toBeLessThan(1e-12));
    });
  }

  it('simulating only the first k steps gives the first k+1 rows of the full run', () => {
    const solver = new Heat2D({ kappa: 0.05, bc: 'neumann', dt: 0.004 });
    const full = solver.simulate(sources, sensors, 200);
    const partial = solver.simulate(sources, sensors, 200, { steps: 80 });
    expect(partial.length).toBe(81 * sensors.length);
    expect(Array.from(partial)).toEqual(Array.from(full.subarray(0, partial.length)));
  });

  it('a coarse 50×25 grid stays close to the 100×50 readings (multi-fidelity search)', () => {
    const fine = new Heat2D({ kappa: 0.1, bc: 'dirichlet', dt: 0.004 });
    // The same physical Gaussian width on the coarse grid, so only discretisation differs.
    const coarse = new Heat2D({ kappa: 0.1, bc: 'dirichlet', dt: 0.004, nx: 50, ny: 25, sigma: fine.sigma });
    expect(coarse.dx).toBeCloseTo(2 / 49, 12);
    const a = fine.simulate(sources, sensors, 300);
    const b = coarse.simulate(sources, sensors, 300);
    const scale = Math.max(...a);
    const worst = Math.max(...a.map((value, k) => Math.abs(value - b[k])));
    expect(worst / scale).toBeLessThan(0.1);
    expect(worst).toBeGreaterThan(0);
  });

  it('full fields are available on request and agree with the sensor readings', () => {
    const solver = new Heat2D({ kappa: 0.1, bc: 'neumann', dt: 0.004 });
    const { steps, fields } = solver.simulateFields(sources, 50, { every: 25 });
    expect(steps).toEqual([0, 25, 50]);
    expect(fields[2].length).toBe(solver.nx * solver.ny);
    // A sensor exactly on node (i, j) reads that node's value.
    const node: [number, number] = [30 * solver.dx, 20 * solver.dy];
    const Y = solver.simulate(sources, [node], 50);
    expect(Y[50]).toBeCloseTo(fields[2][30 * solver.ny + 20], 12);
  });
});
