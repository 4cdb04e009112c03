import { runEstimatorBench } from './solver-estimator.js';
import { runSimulatorBench } from './solver-simulator.js';

/**
 * `npm run bench:solver`: the simulator (ms per simulation against the reference's own times), then the
 * estimator (official score against clean Y and the Y_noisy proxy at several CPU budgets per sample).
 * BENCH_SAMPLES / BENCH_BUDGETS select a subset of the estimator part (see bench/solver-estimator.ts).
 */
await runSimulatorBench();
console.log('');
await runEstimatorBench();
