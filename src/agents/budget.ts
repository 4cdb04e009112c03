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
export function minutesAtBudgetWorkers(projected400Min: number, measuredWorkers: number, budgetWorkers: number): number {
  return (projected400Min * Math.max(1, measuredWorkers)) / budgetWorkers;
}
