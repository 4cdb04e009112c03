// The estimator's experiment config: every key it accepts, with this project's best-known defaults.
import { z } from 'zod';
import { UserError, zodToUserError } from '../core/errors.js';

const count = (fallback: number) => z.number().int().min(0).default(fallback);
const positive = (fallback: number) => z.number().positive().default(fallback);

/**
 * Everything the estimator can be told. Every key has a default, and the defaults are this project's best
 * known configuration (bench/solver-estimator.ts measures them), so `{}` is a complete experiment config.
 * Keys ending in 1 / 2 apply to samples with one / two sources.
 */
export const ExperimentConfig = z
  .object({
    /** Base seed; each sample's stream is derived from it and the sample id. */
    seed: z.number().int().default(0),
    /** Grid of the search phase (the final re-rank and polish always use the full 100×50 grid). */
    searchNx: z.number().int().min(10).max(400).default(50),
    searchNy: z.number().int().min(5).max(200).default(25),
    /** Share of the time steps the search phase fits (the onset carries most of the position information). */
    searchTimeFraction: z.number().gt(0).max(1).default(0.4),
    /**
     * Fit every n-th time step (search / polish, extra candidates and final re-rank): neighbouring readings carry
     * nearly the same information. Every 8th step on the full model scored as every 4th (80 generated samples,
     * 1.2513) at half the cost of each lookup.
     */
    searchStride: z.number().int().min(1).max(50).default(4),
    fullStride: z.number().int().min(1).max(50).default(8),
    /** Gaussian truncation, in sigmas, when a response is assembled from the adjoint table. */
    responseRadius: z.number().min(2).max(50).default(4),
    /** Starting points: a lattice scan of the plate, the hottest sensors, the signal-weighted sensor centroid. */
    inits: z
      .array(z.enum(['grid', 'hottest', 'centroid']))
      .min(1)
      .default(['grid', 'hottest', 'centroid']),
    /** Lattice of the grid scan (positions per axis). */
    gridNx: z.number().int().min(2).max(200).default(24),
    gridNy: z.number().int().min(2).max(100).default(12),
    /** Independent CMA-ES runs and their evaluation budgets. */
    starts1: count(6),
    starts2: count(8),
    fevals1: count(240),
    fevals2: count(600),
    /** CMA-ES initial step, as a fraction of the plate's width (x) and height (y). */
    sigma0: positive(0.15),
    /** CMA-ES population (0 = the default 4 + 3 ln n). */
    popsize: count(0),
    /**
     * Local optimiser of the polish and the extra-candidate searches: Levenberg–Marquardt on the closed-form
     * derivatives of the response tables, or the derivative-free Nelder–Mead simplex of earlier versions.
     */
    localOptimizer: z.enum(['lm', 'nelder-mead']).default('lm'),
    /** How many of the best distinct search results are re-ranked and polished (Nelder–Mead) on the full grid. */
    polishTopK: count(5),
    /** Levenberg–Marquardt iterations per polish (it usually converges in under 15). */
    polishIterations: count(30),
    /** Nelder–Mead evaluations per polish (localOptimizer "nelder-mead" only). */
    polishEvals1: count(240),
    polishEvals2: count(500),
    /** Extra candidates: constrained searches for the best fits that are still distinct from those kept. */
    maxCandidates: z.number().int().min(1).max(3).default(3),
    altStarts: count(8),
    /** Levenberg–Marquardt iterations per extra-candidate start. */
    altIterations: count(30),
    /** Nelder–Mead evaluations per extra-candidate start (localOptimizer "nelder-mead" only). */
    altEvals: count(400),
    /** Aim for a distance of tau·(1 + margin) so round-off never merges a candidate into another. */
    distinctMargin: z.number().min(0).max(1).default(0.05),
    /** Re-search with `fallbackStarts` more runs when the best fit's estimated misfit √(RMSE² − noise_std²) exceeds this. */
    fallbackExcess1: z.number().min(0).default(0.03),
    fallbackExcess2: z.number().min(0).default(0.04),
    fallbackStarts: count(6),
  })
  .strict();
export type ExperimentConfig = z.infer<typeof ExperimentConfig>;

export const EXPERIMENT_CONFIG_KEYS = Object.keys(ExperimentConfig.shape) as (keyof ExperimentConfig)[];

/** The best known configuration (all defaults). */
export const DEFAULT_EXPERIMENT_CONFIG: ExperimentConfig = ExperimentConfig.parse({});

/**
 * Small budgets for quick runs (a default workspace's ~8-sample experiment in well under a minute on 2 cores):
 * a shorter global search, fewer polished results and half the extra-candidate starts
 * (bench/solver-estimator.ts measures both presets).
 */
export const FAST_EXPERIMENT_CONFIG: Partial<ExperimentConfig> = {
  starts1: 2,
  starts2: 3,
  fevals1: 60,
  fevals2: 200,
  polishTopK: 3,
  altStarts: 4,
  fallbackStarts: 1,
};

/** Validates an experiment config object (e.g. experiment.json's "config"); `source` names it in errors. */
export function parseExperimentConfig(value: unknown, source: string): ExperimentConfig {
  const result = ExperimentConfig.safeParse(value ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      throw new UserError(
        `${source}: unknown experiment config key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (known keys: ${EXPERIMENT_CONFIG_KEYS.join(', ')})`,
      );
    }
    throw zodToUserError(result.error, source);
  }
  return result.data;
}

/**
 * Applies `--set key=value` overrides. Values are read as JSON when they parse (numbers, booleans, arrays),
 * else as strings; a comma list without brackets becomes an array (`inits=grid,hottest`).
 */
export function applyOverrides(config: ExperimentConfig, overrides: readonly string[]): ExperimentConfig {
  const next: Record<string, unknown> = { ...config };
  for (const override of overrides) {
    const eq = override.indexOf('=');
    if (eq <= 0) throw new UserError(`--set ${override}: expected key=value`);
    const key = override.slice(0, eq).trim();
    const raw = override.slice(eq + 1).trim();
    if (!(EXPERIMENT_CONFIG_KEYS as string[]).includes(key)) {
      throw new UserError(
        `--set ${override}: unknown experiment config key "${key}" (known keys: ${EXPERIMENT_CONFIG_KEYS.join(', ')})`,
      );
    }
    next[key] = parseValue(raw, Array.isArray((config as Record<string, unknown>)[key]));
  }
  return parseExperimentConfig(next, '--set');
}

function parseValue(raw: string, isArray: boolean): unknown {
  try {
    const value: unknown = JSON.parse(raw);
    return isArray && !Array.isArray(value) ? [value] : value;
  } catch {
    return isArray
      ? raw
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean)
      : raw;
  }
}
