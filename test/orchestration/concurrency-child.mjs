// A worker process for concurrency.test.ts: claim → complete, `cycles` times, against the built
// protocol (npm test builds first). Prints the claimed ids and its best in-budget score as JSON.
import { claimNext, completeExperiment } from '../../dist/orchestration/index.js';

const [root, worker, cyclesText] = process.argv.slice(2);
const claimed = [];
let best = null;
for (let i = 0; i < Number(cyclesText); i++) {
  const entry = await claimNext(root, worker);
  // Deterministic, distinct scores: the test knows which one must end up as the best.
  const score = 1 + (Number(worker.slice(1)) * 1000 + i) / 1e6;
  const inBudget = i % 3 !== 0;
  await completeExperiment(root, entry.id, {
    worker,
    score,
    timeMin: inBudget ? 55 : 70,
    inBudget,
    result: `done by ${worker}`,
  });
  claimed.push(entry.id);
  if (inBudget && (best === null || score > best)) best = score;
}
process.stdout.write(JSON.stringify({ claimed, best }));
