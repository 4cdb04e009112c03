// A built-in worker's finished experiment on its way to the queue, coordination, STATE.json, SUMMARY.md and
// ITERATION_LOG.md, through the experiment's outbox (orchestration/outbox.ts): kept until every file has it.
import { appendLogEntry, completeExperiment, updateExperimentState } from '../../orchestration/index.js';
import { openOutbox, outboxDir, outboxKey, type OutboxRecord, type OutboxStep } from '../../orchestration/outbox.js';
import { RUN_RECORD, runRecordSteps } from '../experiments/record-run.js';
import { type SummaryInput, writeSummary } from './experiment-files.js';

export const WORKER_RESULT = 'worker-result';

/** Everything the records need, fixed when the run ended (the journal replays exactly this). */
export interface WorkerResult extends Omit<SummaryInput, 'id' | 'newBest'> {
  entryId: string;
  entryName: string;
  result: string;
}

/**
 * Writes the journal of a finished experiment (before any shared file is touched) and returns its path. Retries
 * pass the same key, so a write that succeeded but reported a failure cannot make a second journal.
 */
export async function openWorkerResult(
  root: string,
  result: WorkerResult,
  key = outboxKey(result.entryId),
): Promise<string> {
  return openOutbox(outboxDir(root, result.name), { key, kind: WORKER_RESULT, payload: { ...result } });
}

/** The steps, in the order a person reads them: queue and coordination, STATE.json, SUMMARY.md, the log. */
export function workerResultSteps(root: string): OutboxStep[] {
  const resultOf = (record: OutboxRecord) => record.payload as unknown as WorkerResult;
  const newBestOf = (record: OutboxRecord) =>
    (record.outputs.complete as { newBest?: boolean } | undefined)?.newBest === true;
  return [
    {
      name: 'complete',
      apply: async (record) => {
        const r = resultOf(record);
        const { newBest } = await completeExperiment(root, r.entryId, {
          worker: r.worker,
          score: r.score,
          timeMin: r.timeMin,
          result: r.result,
          finding: r.finding,
          inBudget: r.inBudget,
          resultKey: record.key,
        });
        return { newBest };
      },
    },
    {
      name: 'state',
      apply: async (record) => {
        const r = resultOf(record);
        await updateExperimentState(root, r.name, {
          status: 'completed',
          completed_at: record.created_at,
          conclusion: `${r.result}. ${r.finding}`,
        });
      },
    },
    {
      name: 'summary',
      apply: async (record) => {
        const r = resultOf(record);
        await writeSummary(root, {
          name: r.name,
          id: r.entryId,
          worker: r.worker,
          family: r.family,
          description: r.description,
          config: r.config,
          score: r.score,
          against: r.against,
          timeMin: r.timeMin,
          budgetMinutes: r.budgetMinutes,
          inBudget: r.inBudget,
          newBest: newBestOf(record),
          previousBest: r.previousBest,
          finding: r.finding,
          resultFile: r.resultFile,
        });
      },
    },
    {
      name: 'log',
      apply: async (record) => {
        const r = resultOf(record);
        const newBest = newBestOf(record);
        await appendLogEntry(root, {
          worker: r.worker,
          experiment: r.entryName,
          score: r.score,
          timeMin: r.timeMin,
          config: r.config,
          result: r.result,
          finding: r.finding,
          flags: newBest ? ['NEW BEST'] : r.inBudget ? [] : ['OVER BUDGET'],
          key: record.key,
        });
      },
    },
  ];
}

/** Every kind of pending record a worker applies: its own results and the runs' records. */
export function workerOutboxKinds(root: string): Record<string, OutboxStep[]> {
  return { [WORKER_RESULT]: workerResultSteps(root), [RUN_RECORD]: runRecordSteps(root) };
}
