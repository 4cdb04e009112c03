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
