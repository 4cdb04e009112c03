// Entry point of `npm run bench:solver`: runs the simulator bench, then the estimator bench.
import { runEstimatorBench } from './solver-estimator.js';
import { runSimulatorBench } from './solver-simulator.js';

/**
 * `npm run bench:solver`: the simulator (ms per simulation against the reference's own times), then the
 * estimator (official score against clean Y and the Y_noisy proxy, CPU seconds per sample, each preset next to
 * the previous version's, on two generated seeds and a three-source set). BENCH_SETS / BENCH_PRESETS /
 * BENCH_SAMPLES select a subset of the estimator part (see bench/solver-estimator.ts); `npm run bench:estimator`
 * runs the estimator part alone.
 */
await runSimulatorBench();
console.log('');
await runEstimatorBench();
