import { describe, expect, it } from 'vitest';
import {
  applyOverrides,
  DEFAULT_EXPERIMENT_CONFIG,
  FAST_EXPERIMENT_CONFIG,
  parseExperimentConfig,
} from '../../solver/experiment-config.js';
import { boundedLeastSquares } from '../../solver/estimator/bounded-least-squares.js';
import { cmaes } from '../../solver/estimator/cma-es.js';
import { candidateDistance } from '../../solver/estimator/distinct.js';
import { nelderMead } from '../../solver/estimator/nelder-mead.js';
import { ResponseModel } from '../../solver/estimator/response-model.js';
import { Heat2D } from '../../solver/heat2d.js';
import { createRng } from '../../solver/rng.js';
import { distinctCandidates, SCORING } from '../../solver/scoring.js';
import { UserError } from '../../core/errors.js';

describe('experiment config', () => {
  it('given nothing, every key has its best-known default', () => {
    const config = parseExperimentConfig({}, 'experiment.json');
    expect(config).toEqual(DEFAULT_EXPERIMENT_CONFIG);
    expect(config.maxCandidates).toBe(3);
    expect(config.inits).toContain('grid');
  });

  it('the fast preset only names real keys and parses', () => {
    const fast = parseExperimentConfig(FAST_EXPERIMENT_CONFIG, 'fast');
    expect(fast.fevals2).toBeLessThan(DEFAULT_EXPERIMENT_CONFIG.fevals2);
  });

  it('an unknown key is named together with the known keys', () => {
    expect(() => parseExperimentConfig({ fevals3: 10 }, 'experiments/a/experiment.json')).toThrow(UserError);
    expect(() => parseExperimentConfig({ fevals3: 10 }, 'experiments/a/experiment.json')).toThrow(
      /experiments\/a\/experiment\.json: unknown experiment config key "fevals3" \(known keys: seed, .*fevals2/,
    );
  });

  it('a bad value names the file and the field', () => {
    expect(() => parseExperimentConfig({ fevals1: -5 }, 'exp.json')).toThrow(/^exp\.json: field fevals1: /);
    expect(() => parseExperimentConfig({ inits: ['psychic'] }, 'exp.json')).toThrow(/exp\.json: field inits\[0\]/);
  });

  it('--set overrides parse numbers, comma lists and JSON, and reject unknown keys and bad values', () => {
    const config = applyOverrides(DEFAULT_EXPERIMENT_CONFIG, ['fevals1=77', 'inits=grid,centroid', 'sigma0=0.3']);
    expect(config.fevals1).toBe(77);
    expect(config.inits).toEqual(['grid', 'centroid']);
    expect(config.sigma0).toBe(0.3);
    expect(() => applyOverrides(DEFAULT_EXPERIMENT_CONFIG, ['budget=3'])).toThrow(
      /--set budget=3: unknown experiment config key "budget"/,
    );
    expect(() => applyOverrides(DEFAULT_EXPERIMENT_CONFIG, ['fevals1=lots'])).toThrow(/--set: field fevals1: /);
    expect(() => applyOverrides(DEFAULT_EXPERIMENT_CONFIG, ['fevals1'])).toThrow(/--set fevals1: expected key=value/);
  });
});

describe('adjoint response model', () => {
  const sensors: [number, number][] = [
    [0.5, 0.5],
    [1.2, 0.3],
    [1.8, 0.9],
    [0.02, 0.99],
  ];
  for (const bc of ['dirichlet', 'neumann'] as const) {
    it(`gives Heat2D's own unit responses (${bc}), also near a corner`, () => {
      const nt = 120;
      // A radius covering the whole plate: the table itself, not the Gaussian truncation, is under test.
      const model = new ResponseModel({ kappa: 0.08, bc, dt: 0.004, sensors, steps: nt, radius: 100 });
      const heat = new Heat2D({ kappa: 0.08, bc, dt: 0.004 });
      for (const [x, y] of [
        [0.61, 0.42],
        [0.03, 0.97],
      ]) {
        const expected = heat.unitResponse(x, y, sensors, nt);
        const got = model.respond(x, y);
        const peak = Math.max(...expected.map(Math.abs));
        for (let k = 0; k < expected.length; k++) expect(Math.abs(got[k] - expected[k])).toBeLessThan(1e-6 * peak);
      }
    });
  }
});

describe('candidate distance', () => {
  it('agrees with the official filter on both sides of tau, for one and two sources', () => {
    const rng = createRng(3);
    let checked = 0;
    for (let trial = 0; trial < 300; trial++) {
      const k = 1 + (trial % 2);
      const a = Array.from({ length: k }, () => [2 * rng.next(), rng.next(), 0.5 + 1.5 * rng.next()]);
      const b = a.map(([x, y, q]) => [
        x + 0.3 * (rng.next() - 0.5),
        y + 0.3 * (rng.next() - 0.5),
        q + 0.3 * (rng.next() - 0.5),
      ]);
      const d = candidateDistance(a, b);
      if (Math.abs(d - SCORING.tau) < 1e-9) continue;
      expect(distinctCandidates([a, b]).length === 2).toBe(d > SCORING.tau);
      checked++;
    }
    expect(checked).toBeGreaterThan(250);
  });
});

describe('bounded least squares', () => {
  it('finds the exact q inside the box and the best boundary point outside it', () => {
    // y = 1.5·r1 + 0.8·r2 with r1 = (1, 0, 1), r2 = (0, 1, 1)
    const r1 = [1, 0, 1];
    const r2 = [0, 1, 1];
    const y = r1.map((v, i) => 1.5 * v + 0.8 * r2[i]);
    const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
    const G = [dot(r1, r1), dot(r1, r2), dot(r2, r1), dot(r2, r2)];
    const b = [dot(r1, y), dot(r2, y)];
    const inside = boundedLeastSquares(G, b, dot(y, y), 0.5, 2);
    expect(inside.q[0]).toBeCloseTo(1.5, 12);
    expect(inside.q[1]).toBeCloseTo(0.8, 12);
    expect(inside.rss).toBeLessThan(1e-12);
    const clipped = boundedLeastSquares(G, b, dot(y, y), 1, 2);
    expect(clipped.q[1]).toBe(1);
    expect(clipped.q[0]).toBeGreaterThanOrEqual(1);
    expect(clipped.q[0]).toBeLessThanOrEqual(2);
    expect(clipped.rss).toBeGreaterThan(0);
  });
});

describe('optimisers', () => {
  const rosenbrock = ([x, y]: number[]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;

  it('CMA-ES finds the minimum of a bounded Rosenbrock valley and is reproducible for a seed', () => {
    const run = () =>
      cmaes(rosenbrock, {
        x0: [-1, 2],
        sigma0: 0.5,
        lower: [-2, -1],
        upper: [2, 3],
        maxEvals: 2000,
        rng: createRng(7),
      });
    const result = run();
    expect(result.f).toBeLessThan(1e-6);
    expect(result.x[0]).toBeCloseTo(1, 2);
    expect(result.evals).toBeLessThanOrEqual(2000);
    expect(run().x).toEqual(result.x);
  });

  it('CMA-ES never evaluates outside the box', () => {
    const seen: number[][] = [];
    cmaes(
      (x) => {
        seen.push(x);
        return (x[0] - 5) ** 2 + x[1] ** 2;
      },
      { x0: [0.5, 0.5], sigma0: 1, lower: [0, 0], upper: [1, 1], maxEvals: 200, rng: createRng(1) },
    );
    expect(seen.every(([a, b]) => a >= 0 && a <= 1 && b >= 0 && b <= 1)).toBe(true);
  });

  it('Nelder–Mead polishes a smooth bowl to high accuracy within its budget', () => {
    const result = nelderMead(([x, y, z]) => (x - 0.3) ** 2 + 2 * (y + 0.2) ** 2 + 3 * (z - 1) ** 2, {
      x0: [0, 0, 0],
      step: [0.1, 0.1, 0.1],
      lower: [-1, -1, -1],
      upper: [2, 2, 2],
      maxEvals: 400,
    });
    expect(result.f).toBeLessThan(1e-8);
    expect(result.evals).toBeLessThanOrEqual(400 + 4);
  });
});
