// The schema of the `--progress json` line protocol.
import { z } from 'zod';

/**
 * The `--progress json` protocol: one JSON object per line on stdout. `ralph-tui run` emits it and
 * the runner service parses it; any experiment script may emit it too (see docs/experiments.md).
 * Unknown extra keys are allowed so scripts can add their own fields.
 */
export const ProgressStartLine = z.looseObject({
  type: z.literal('start'),
  name: z.string().optional(),
  total: z.number().int().min(0),
  workers: z.number().int().positive().optional(),
});
export type ProgressStartLine = z.infer<typeof ProgressStartLine>;

export const ProgressSampleLine = z.looseObject({
  type: z.literal('sample'),
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  sample_id: z.string().optional(),
  n_sources: z.number().int().optional(),
  rmse: z.number().nullable().optional(),
  candidates: z.number().int().optional(),
  /** This sample's own compute time. */
  seconds: z.number().optional(),
  /** Wall seconds since the run started. */
  elapsed: z.number().optional(),
  /** Estimated wall seconds left. */
  eta: z.number().nullable().optional(),
  /** Official score over the samples finished so far. */
  running_score: z.number().nullable().optional(),
});
export type ProgressSampleLine = z.infer<typeof ProgressSampleLine>;

export const ProgressEndLine = z.looseObject({
  type: z.literal('end'),
  score: z.number().nullable(),
  against: z.enum(['Y', 'Y_noisy']).optional(),
  projected_400_samples_min: z.number().nullable().optional(),
  workers: z.number().int().positive().optional(),
  wall_seconds: z.number().optional(),
  /** CPU seconds per sample, all threads (contention-free cost; the budget is 63 CPU-s/sample). */
  cpu_seconds_per_sample: z.number().nullable().optional(),
  in_budget: z.boolean().optional(),
  result_file: z.string().optional(),
  incomplete: z.boolean().optional(),
});
export type ProgressEndLine = z.infer<typeof ProgressEndLine>;

export const ProgressLine = z.discriminatedUnion('type', [ProgressStartLine, ProgressSampleLine, ProgressEndLine]);
export type ProgressLine = z.infer<typeof ProgressLine>;
