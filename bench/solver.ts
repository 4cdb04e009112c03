import { fileURLToPath } from 'node:url';
import { runSimulatorBench } from './solver-simulator.js';

/**
 * `npm run bench:solver`: the simulator part (bench/solver-simulator.ts), then the estimator part from
 * bench/solver-estimator.ts when that file exists (it is owned by the estimator's author and exports
 * `runEstimatorBench`). Loaded by URL so this file builds before the estimator bench is written.
 */
await runSimulatorBench();
const estimatorBench = new URL('./solver-estimator.js', import.meta.url);
let estimator: { runEstimatorBench?: () => Promise<unknown> } | null = null;
try {
  estimator = (await import(estimatorBench.href)) as { runEstimatorBench?: () => Promise<unknown> };
} catch (error) {
  // Only the estimator bench's own absence is expected; a missing import inside it is a real failure.
  const missing = /Cannot find module '([^']+)'/.exec(String(error))?.[1];
  const missingItself = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && missing === fileURLToPath(estimatorBench);
  if (!missingItself) throw error;
}
if (estimator?.runEstimatorBench) {
  console.log('');
  await estimator.runEstimatorBench();
}
