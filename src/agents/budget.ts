// The time-budget arithmetic the built-in agents judge runs by (threads per worker, minutes at the budget's workers).
import { budgetOf, type RunSummary } from '../experiments/run-summary.js';
import type { RunEnd } from './experiment-child.js';

/** How many CPUs a cpuset like "2-3,6" names. */
export function cpusetSize(cpuset: string): number {
  let count = 0;
  for (const part of cpuset.split(',')) {
    const [from, to] = part.split('-').map(Number);
    count += to === undefined ? 1 : Math.max(0, to - from + 1);
  }
  return count;
}

/** Threads for a worker's experiment runs: its cpuset's cores, else experiments.workers, else 1. */
export function experimentThreads(agent: { cpuset?: string }, experimentsWorkers?: number): number {
  if (agent.cpuset) return Math.max(1, cpusetSize(agent.cpuset));
  return experimentsWorkers ?? 1;
}

/**
 * The competition's clock: `ralph-tui run` projects 400 samples at the thread count it ran with; the budget is
 * judged at `budgetWorkers` (7 in the competition). Sample-parallel runs scale linearly with workers, so the
 * projection is rescaled by measured ÷ budget workers.
 */
export function minutesAtBudgetWorkers(
  projected400Min: number,
  measuredWorkers: number,
  budgetWorkers: number,
): number {
  return (projected400Min * Math.max(1, measuredWorkers)) / budgetWorkers;
}

/**
 * A finished run's minutes against the budget, the way `ralph-tui run` judges it: from CPU seconds per sample when
 * the run reports them (immune to other runs sharing the cores), else its wall-time projection rescaled to the
 * budget's workers, else — an experiment's own script — its printed `Projected (400)` as the original workers read it.
 */
export function runMinutes(end: RunEnd, budgetWorkers: number, budgetMinutes: number): number {
  if (typeof end.cpu_seconds_per_sample === 'number') {
    // budgetOf reads only cpu_seconds_per_sample: one formula for the runner, STATE.json and the queue.
    return budgetOf({ cpu_seconds_per_sample: end.cpu_seconds_per_sample } as RunSummary, {
      minutes: budgetMinutes,
      workers: budgetWorkers,
    }).projectedMin as number;
  }
  if (typeof end.workers === 'number')
    return minutesAtBudgetWorkers(end.projected_400_samples_min, end.workers, budgetWorkers);
  return end.projected_400_samples_min;
}
