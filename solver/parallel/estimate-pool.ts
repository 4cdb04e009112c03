// A pool of worker threads that estimates a dataset's samples in parallel.
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EstimateOutcome, EstimateTask, EstimateWorkerData, WorkerReply } from './estimate-messages.js';

/** A sample the estimator could not finish (a bug or an exhausted thread, not bad input). */
export class EstimateFailure extends Error {
  override name = 'EstimateFailure';
}

/**
 * The default thread count: every core but one (the main thread streams progress and writes files).
 * availableParallelism follows the CPU affinity mask, so inside a container pinned with --cpuset-cpus
 * it counts the pinned cores, not the host's.
 */
export function defaultWorkerCount(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

/**
 * The compiled worker entry. Under vitest this module runs from its .ts source, where no .js sibling
 * exists, so fall back to the built copy in dist/ (`npm test` builds first).
 */
function workerEntry(): URL {
  const sibling = new URL('./estimate-worker.js', import.meta.url);
  if (fs.existsSync(fileURLToPath(sibling))) return sibling;
  return new URL('../../dist/solver/parallel/estimate-worker.js', import.meta.url);
}

/**
 * A fixed set of worker threads that estimate samples from a shared queue: each thread takes the
 * next sample as soon as it is free. Every task carries its own seed, so results do not depend on
 * which thread ran it. `terminate()` stops the threads mid-sample (estimateSample is synchronous,
 * so that is the only way to interrupt it).
 */
export class EstimatePool {
  private readonly workers: Worker[] = [];
  private terminated = false;

  constructor(private readonly opts: EstimateWorkerData & { workers: number }) {}

  /** Runs every task; calls `onOutcome` as each finishes (in completion order). Rejects on the first failure. */
  run(tasks: readonly EstimateTask[], onOutcome: (outcome: EstimateOutcome) => void): Promise<void> {
    const queue = [...tasks];
    let pending = tasks.length;
    return new Promise<void>((resolve, reject) => {
      if (pending === 0) return resolve();
      const fail = (error: Error) => {
        void this.terminate();
        reject(error);
      };
      const feed = (worker: Worker) => {
        const task = queue.shift();
        if (task) worker.postMessage(task);
      };
      const count = Math.min(this.opts.workers, tasks.length);
      for (let k = 0; k < count; k++) {
        const worker = new Worker(workerEntry(), {
          workerData: { meta: this.opts.meta, config: this.opts.config } satisfies EstimateWorkerData,
        });
        this.workers.push(worker);
        worker.on('message', (reply: WorkerReply) => {
          if (!reply.ok)
            return fail(new EstimateFailure(`the estimator failed on sample #${reply.index}: ${reply.message}`));
          onOutcome(reply.outcome);
          if (--pending === 0) {
            void this.terminate();
            resolve();
          } else feed(worker);
        });
        worker.on('error', (error) => fail(new EstimateFailure(`an estimator thread crashed: ${error.message}`)));
        worker.on('exit', (code) => {
          if (!this.terminated && pending > 0)
            fail(new EstimateFailure(`an estimator thread exited with code ${code}`));
        });
        feed(worker);
      }
    });
  }

  async terminate(): Promise<void> {
    this.terminated = true;
    await Promise.all(this.workers.splice(0).map((worker) => worker.terminate()));
  }
}
