import { describe, expect, it } from 'vitest';
import { TridiagonalFactor, implicitLaplacian } from '../../solver/tridiagonal.js';

/** Dense product of the tridiagonal (lower, diagonal, upper) with x. */
function multiply(lower: number[], diagonal: number[], upper: number[], x: number[]): number[] {
  return x.map(
    (_, k) => (k > 0 ? lower[k] * x[k - 1] : 0) + diagonal[k] * x[k] + (k < x.length - 1 ? upper[k] * x[k + 1] : 0),
  );
}

describe('TridiagonalFactor', () => {
  it('solves A x = d (a non-symmetric system, like the Neumann rows)', () => {
    const lower = [0, -1, -0.5, -2, -1];
    const diagonal = [4, 5, 3, 6, 4];
    const upper = [-2, -1, -1, -0.5, 0];
    const d = [1, -2, 0.5, 3, 2];
    const x = Float64Array.from(d);
    new TridiagonalFactor(lower, diagonal, upper).solveInPlace(x);
    multiply(lower, diagonal, upper, Array.from(x)).forEach((v, k) => expect(v).toBeCloseTo(d[k], 12));
  });

  it('solves many strided lines at once exactly like one line at a time (including a remainder)', () => {
    for (const bc of ['neumann', 'dirichlet'] as const) {
      const nx = 11;
      const ny = 7;
      const alongX = implicitLaplacian(nx, 0.2, 0.003, bc);
      const alongY = implicitLaplacian(ny, 0.15, 0.003, bc);
      const field = Float64Array.from({ length: nx * ny }, (_, k) => Math.sin(0.37 * k) + 0.1 * k);
      const one = Float64Array.from(field);
      const many = Float64Array.from(field);
      for (let j = 0; j < ny; j++) alongX.solveInPlace(one, j, ny);
      alongX.solveManyInPlace(many, 0, ny, ny, 1);
      for (let i = 0; i < nx; i++) alongY.solveInPlace(one, i * ny, 1);
      alongY.solveManyInPlace(many, 0, 1, nx, ny);
      expect(Array.from(many)).toEqual(Array.from(one));
      expect(Array.from(many)).not.toEqual(Array.from(field));
    }
  });
});
