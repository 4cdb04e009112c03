/**
 * The shared-file protocol agents and the supervisor coordinate through: the one place that reads and
 * writes orchestration/shared/*, ITERATION_LOG.md and experiments/<name>/STATE.json. Every function takes
 * the workspace root. Reads are synchronous (small files, retried briefly when half-written); every write
 * is locked and atomic, hence async.
 */
export {
  readQueue,
  claimedBy,
  nextUp,
  queueViewOf,
  countStatuses,
  type QueueEntry,
  type QueueView,
  type QueueFormat,
  type StatusCounts,
  type EntryStatus,
} from './queue-view.js';
export { mapStatus, ARCHIVED_PRIORITY } from './status-map.js';
export {
  readCoordination,
  coordinationViewOf,
  DEFAULT_TARGET,
  type CoordinationView,
  type WorkerView,
  type BestScore,
  type CompletedView,
  type InProgressView,
} from './coordination.js';
export {
  claimNext,
  claimById,
  completeExperiment,
  failExperiment,
  releaseExperiment,
  type CompleteOptions,
} from './queue-claims.js';
export { addExperiments, DEFAULT_PRIORITY, type NewExperiment } from './queue-add.js';
export { heartbeat, recordFinding } from './coordination-notes.js';
export { withSharedLock, EXIT_UNAVAILABLE } from './shared-edit.js';
export { appendTuningRun, markInterruptedIfRunning, updateExperimentState } from './tuning.js';
export { assertExperimentName, EXPERIMENT_NAME } from './experiment-name.js';
export { beatsBest } from './best-score.js';
export { appendLogEntry, formatLogEntry, parseLogEntries, type LogEntry, type NewLogEntry } from './log-entry.js';
export { countLines, tailLines } from './log-tail.js';
export { LogFollower, type LogFollowerOptions } from './log-follower.js';
export { createStop, clearStop, stopState, FORCED_STOP_REASON, type StopState } from './stop-file.js';
export { WorkspaceWatcher, type WorkspaceSnapshot, type WorkspaceWatcherOptions, type WatchError } from './watcher.js';
export { experimentStateViewOf, type ExperimentStateView } from './experiment-state.js';
export {
  RunProgressFile,
  runProgressViewOf,
  selectRuns,
  isProcessAlive,
  RUN_HEARTBEAT_MS,
  RUN_STALE_MS,
  type RunProgressView,
  type RunProgressState,
} from './run-status.js';
export { statusReport, formatStatus, type StatusReport } from './status-report.js';
export { writePrompts, promptFor, type PromptTeam } from './prompts/write-prompts.js';
export { DEFAULT_FOCUS, focusOf, type Focus } from './prompts/focus.js';
export { newCoordination } from './coordination.js';
