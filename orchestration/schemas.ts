// Tolerant schemas for every generation of the shared files.
import * as v from 'valibot';
import { formatPath, UserError } from '../core/errors.js';

/**
 * Schemas for every shared file, in every generation seen in the original deployment
 * (fixtures/original). All objects are loose: fields this code does not know are kept, because
 * rewrites only edit the paths that changed (json-edit.ts). Types are tolerant where agents
 * drifted (priority "3", score null, ids as numbers); a value of a plainly wrong type is still
 * reported with its field path.
 *
 * Valibot rather than zod (which the config and the solver use): agents run `ralph-tui queue claim`,
 * `status` and `log append` dozens of times per experiment, and loading zod (95 modules) cost ~70 ms
 * of a call's ~230 ms; valibot is one module and costs ~10 ms (measured with farm-bench).
 */

/** A number, or a numeric string as agents sometimes wrote ("3", "1.1464"). */
const Num = v.pipe(
  v.unknown(),
  v.transform((value) =>
    typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value,
  ),
  v.number(),
);
const OptNum = v.nullish(Num);
const OptStr = v.nullish(v.string());
const Id = v.pipe(v.union([v.string(), v.number()]), v.transform(String));

/** experiment_queue.json entry (v3+) and v2 ready_experiments / v1 research_topics entries. */
export const RawQueueEntry = v.looseObject({
  id: v.optional(Id),
  name: OptStr,
  priority: OptNum,
  family: OptStr,
  status: OptStr,
  worker: OptStr,
  claimed_by: OptStr,
  assigned_to: OptStr,
  completed_by: OptStr,
  score: OptNum,
  time_min: OptNum,
  result: v.optional(v.unknown()),
  finding: v.optional(v.unknown()),
  description: OptStr,
  hypothesis: OptStr,
  config: v.nullish(v.record(v.string(), v.unknown())),
  claimed_at: OptStr,
  started_at: OptStr,
  completed_at: OptStr,
});
export type RawQueueEntry = v.InferOutput<typeof RawQueueEntry>;

/** v3+ experiment_queue.json. */
export const QueueFileV3 = v.looseObject({
  version: v.optional(v.union([v.string(), v.number()])),
  last_updated: v.optional(v.unknown()),
  experiment_queue: v.array(RawQueueEntry),
  algorithm_families: v.optional(v.unknown()),
});
export type QueueFileV3 = v.InferOutput<typeof QueueFileV3>;

/** v2 experiment_queue.json: ready_experiments + completed_experiments (+ analysis). */
export const QueueFileV2 = v.looseObject({
  ready_experiments: v.array(RawQueueEntry),
  completed_experiments: v.optional(v.array(v.union([RawQueueEntry, v.string()]))),
  analysis: v.optional(v.unknown()),
});
export type QueueFileV2 = v.InferOutput<typeof QueueFileV2>;

/** v1 queue.json: research_topics (+ completed_topics, research_insights). */
export const QueueFileV1 = v.looseObject({
  research_topics: v.array(RawQueueEntry),
  completed_topics: v.optional(v.array(v.union([RawQueueEntry, v.string()]))),
  research_insights: v.optional(v.unknown()),
});
export type QueueFileV1 = v.InferOutput<typeof QueueFileV1>;

export const RawWorker = v.looseObject({
  status: OptStr,
  current_experiment: OptStr,
  experiments_run: OptNum,
  runs: OptNum,
  last_seen: v.nullish(v.union([v.number(), v.string()])),
  last_started: OptStr,
  last_completed: OptStr,
  focus: OptStr,
  focus_area: OptStr,
});
export type RawWorker = v.InferOutput<typeof RawWorker>;

export const RawBest = v.looseObject({
  score: OptNum,
  time_min: OptNum,
  experiment: OptStr,
});
export type RawBest = v.InferOutput<typeof RawBest>;

export const RawCompleted = v.union([
  v.string(),
  v.looseObject({
    id: v.optional(Id),
    name: OptStr,
    worker: OptStr,
    score: OptNum,
    time_min: OptNum,
    result: v.optional(v.unknown()),
  }),
]);
export type RawCompleted = v.InferOutput<typeof RawCompleted>;

/**
 * coordination.json, both forms: current (best_scores.in_budget, workers, leaderboard, ...) and
 * v1/v2 (best_score, best_time_min, target_score, best_config).
 */
export const CoordinationFile = v.looseObject({
  best_scores: v.nullish(v.looseObject({ in_budget: v.nullish(RawBest) })),
  best_score: OptNum,
  best_time_min: OptNum,
  best_config: v.nullish(v.looseObject({ experiment: OptStr })),
  target_score: OptNum,
  workers: v.nullish(v.record(v.string(), RawWorker)),
  experiments_in_progress: v.nullish(
    v.record(v.string(), v.looseObject({ worker: OptStr, name: OptStr, started: OptStr, started_at: OptStr })),
  ),
  experiments_completed: v.nullish(v.array(RawCompleted)),
  research_findings: v.nullish(v.array(v.unknown())),
});
export type CoordinationFile = v.InferOutput<typeof CoordinationFile>;

/** v1 per-worker state_W*.json. */
export const WorkerStateFile = v.looseObject({
  worker_id: OptStr,
  topic_status: OptStr,
  current_topic: v.nullish(v.looseObject({ name: OptStr })),
  session_info: v.nullish(v.looseObject({ last_active: OptStr, experiments_this_session: OptNum })),
});
export type WorkerStateFile = v.InferOutput<typeof WorkerStateFile>;

/** experiments/<name>/STATE.json: tuning runs and the best in-budget run. */
export const ExperimentStateFile = v.looseObject({
  experiment: OptStr,
  experiment_id: OptStr,
  status: OptStr,
  claimed_by: OptStr,
  tuning_runs: v.nullish(v.array(v.looseObject({}))),
  best_in_budget: v.nullish(v.looseObject({ run: v.optional(v.unknown()), score: OptNum, time_min: OptNum })),
});
export type ExperimentStateFile = v.InferOutput<typeof ExperimentStateFile>;

/** Validates `data` against `schema`; the first problem becomes one sentence naming the file and the field. */
export function parseFile<S extends v.GenericSchema>(schema: S, data: unknown, source: string): v.InferOutput<S> {
  const result = v.safeParse(schema, data);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const where = formatPath((issue.path ?? []).map((item) => item.key as PropertyKey));
  const count = result.issues.length;
  const more = count > 1 ? ` (and ${count - 1} more problem${count > 2 ? 's' : ''})` : '';
  throw new UserError(`${source}: field ${where}: ${issue.message}${more}`);
}
