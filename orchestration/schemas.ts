import { z } from 'zod';

/**
 * Schemas for every shared file, in every generation seen in the original deployment
 * (fixtures/original). All objects are loose: fields this code does not know are kept, because
 * rewrites only edit the paths that changed (json-edit.ts). Types are tolerant where agents
 * drifted (priority "3", score null, ids as numbers); a value of a plainly wrong type is still
 * reported with its field path.
 */

/** A number, or a numeric string as agents sometimes wrote ("3", "1.1464"). */
const Num = z.preprocess((value) => (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value), z.number());
const OptNum = Num.nullable().optional();
const OptStr = z.string().nullable().optional();
const Id = z.union([z.string(), z.number()]).transform(String);

/** experiment_queue.json entry (v3+) and v2 ready_experiments / v1 research_topics entries. */
export const RawQueueEntry = z.looseObject({
  id: Id.optional(),
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
  result: z.unknown().optional(),
  finding: z.unknown().optional(),
  description: OptStr,
  hypothesis: OptStr,
  config: z.record(z.string(), z.unknown()).nullable().optional(),
  claimed_at: OptStr,
  started_at: OptStr,
  completed_at: OptStr,
});
export type RawQueueEntry = z.infer<typeof RawQueueEntry>;

/** v3+ experiment_queue.json. */
export const QueueFileV3 = z.looseObject({
  version: z.union([z.string(), z.number()]).optional(),
  last_updated: z.unknown().optional(),
  experiment_queue: z.array(RawQueueEntry),
  algorithm_families: z.unknown().optional(),
});
export type QueueFileV3 = z.infer<typeof QueueFileV3>;

/** v2 experiment_queue.json: ready_experiments + completed_experiments (+ analysis). */
export const QueueFileV2 = z.looseObject({
  ready_experiments: z.array(RawQueueEntry),
  completed_experiments: z.array(z.union([RawQueueEntry, z.string()])).optional(),
  analysis: z.unknown().optional(),
});
export type QueueFileV2 = z.infer<typeof QueueFileV2>;

/** v1 queue.json: research_topics (+ completed_topics, research_insights). */
export const QueueFileV1 = z.looseObject({
  research_topics: z.array(RawQueueEntry),
  completed_topics: z.array(z.union([RawQueueEntry, z.string()])).optional(),
  research_insights: z.unknown().optional(),
});
export type QueueFileV1 = z.infer<typeof QueueFileV1>;

export const RawWorker = z.looseObject({
  status: OptStr,
  current_experiment: OptStr,
  experiments_run: OptNum,
  runs: OptNum,
  last_seen: z.union([z.number(), z.string()]).nullable().optional(),
  last_started: OptStr,
  last_completed: OptStr,
  focus: OptStr,
  focus_area: OptStr,
});
export type RawWorker = z.infer<typeof RawWorker>;

export const RawBest = z.looseObject({
  score: OptNum,
  time_min: OptNum,
  experiment: OptStr,
});
export type RawBest = z.infer<typeof RawBest>;

export const RawCompleted = z.union([
  z.string(),
  z.looseObject({
    id: Id.optional(),
    name: OptStr,
    worker: OptStr,
    score: OptNum,
    time_min: OptNum,
    result: z.unknown().optional(),
  }),
]);
export type RawCompleted = z.infer<typeof RawCompleted>;

/**
 * coordination.json, both forms: current (best_scores.in_budget, workers, leaderboard, ...) and
 * v1/v2 (best_score, best_time_min, target_score, best_config).
 */
export const CoordinationFile = z.looseObject({
  best_scores: z.looseObject({ in_budget: RawBest.nullable().optional() }).nullable().optional(),
  best_score: OptNum,
  best_time_min: OptNum,
  best_config: z.looseObject({ experiment: OptStr }).nullable().optional(),
  target_score: OptNum,
  workers: z.record(z.string(), RawWorker).nullable().optional(),
  experiments_in_progress: z.record(z.string(), z.looseObject({ worker: OptStr, name: OptStr, started: OptStr, started_at: OptStr })).nullable().optional(),
  experiments_completed: z.array(RawCompleted).nullable().optional(),
  research_findings: z.array(z.unknown()).nullable().optional(),
});
export type CoordinationFile = z.infer<typeof CoordinationFile>;

/** v1 per-worker state_W*.json. */
export const WorkerStateFile = z.looseObject({
  worker_id: OptStr,
  topic_status: OptStr,
  current_topic: z.looseObject({ name: OptStr }).nullable().optional(),
  session_info: z.looseObject({ last_active: OptStr, experiments_this_session: OptNum }).nullable().optional(),
});
export type WorkerStateFile = z.infer<typeof WorkerStateFile>;

/** experiments/<name>/STATE.json: tuning runs and the best in-budget run. */
export const ExperimentStateFile = z.looseObject({
  experiment: OptStr,
  experiment_id: OptStr,
  status: OptStr,
  claimed_by: OptStr,
  tuning_runs: z.array(z.looseObject({})).nullable().optional(),
  best_in_budget: z.looseObject({ run: z.unknown().optional(), score: OptNum, time_min: OptNum }).nullable().optional(),
});
export type ExperimentStateFile = z.infer<typeof ExperimentStateFile>;
