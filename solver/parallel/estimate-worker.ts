// The worker-thread entry that estimates and scores one sample per message.
import { parentPort, workerData } from 'node:worker_threads';
import { estimateSample } from '../estimator/estimate-sample.js';
import { scoreSample } from '../scoring.js';
import type { EstimateTask, EstimateWorkerData, WorkerReply } from './estimate-messages.js';

/** Worker-thread entry: estimates one sample per message, then scores it (scoring re-simulates, so it runs here, off the main thread). */
const { meta, config } = workerData as EstimateWorkerData;

parentPort!.on('message', (task: EstimateTask) => {
  let reply: WorkerReply;
  try {
    const estimate = estimateSample(task.sample, meta, config, { seed: task.seed });
    const scored = scoreSample(task.sample, meta, estimate.candidates);
    reply = {
      ok: true,
      outcome: {
        index: task.index,
        sampleId: task.sample.sample_id,
        nSources: task.sample.n_sources,
        candidates: estimate.candidates,
        simulations: estimate.simulations,
        seconds: estimate.seconds,
        score: scored.score,
        losses: scored.losses,
        against: scored.against,
      },
    };
  } catch (error) {
    reply = { ok: false, index: task.index, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
