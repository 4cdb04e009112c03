// Plans the agents `ralph-tui init` writes: their kinds, roles and cpusets.
import os from 'node:os';
import { type CpuTopology, planCpusets, readCpuTopology } from '../../docker/cpu-planner.js';
import { familiesForWorker } from '../agents/families.js';
import type { z } from 'zod';
import type { AgentConfig } from '../config.js';
import { UserError } from '../../core/errors.js';

export type AgentKind = 'builtin' | 'claude';

/**
 * `--agents` value: one kind for every agent, or a comma list by agent index starting at W0 whose last kind
 * repeats ("claude,builtin" = a Claude orchestrator with built-in workers).
 */
export function parseAgentKinds(value: string): AgentKind[] {
  const kinds = value.split(',').map((part) => part.trim());
  for (const kind of kinds) {
    if (kind !== 'builtin' && kind !== 'claude')
      throw new UserError(
        `--agents: "${kind}" is not an agent kind (expected builtin or claude, or a comma list like claude,builtin)`,
      );
  }
  return kinds as AgentKind[];
}

/** The host's CPUs, or a plain topology of `cpus` single-thread cores when the caller says how many. */
export function hostTopology(cpus?: number): CpuTopology {
  if (cpus !== undefined) return { cpus: [...Array(cpus).keys()], cores: [...Array(cpus).keys()].map((cpu) => [cpu]) };
  try {
    return readCpuTopology();
  } catch {
    return hostTopology(os.availableParallelism());
  }
}

/**
 * Cpusets for W0 and the workers: C's planner (system/orchestrator CPUs first, then one share per worker);
 * when the workers outnumber the spare CPUs, one CPU each while they last and none after (never shared,
 * so experiment timings stay honest).
 */
function cpusets(topology: CpuTopology, workers: number): { orchestrator?: string; workers: (string | undefined)[] } {
  if (topology.cpus.length > 1) {
    try {
      const plan = planCpusets({ workers, topology, reserveSystem: 1 });
      return { orchestrator: plan.orchestrator, workers: plan.workers };
    } catch {
      // Fewer spare CPUs than workers: fall through to the simple split.
    }
  }
  return {
    workers: Array.from({ length: workers }, (_, i) =>
      i < topology.cpus.length ? String(topology.cpus[i]) : undefined,
    ),
  };
}

/** W0 (orchestrator) plus `workers` workers (default: one per spare CPU, at least 1), each with a focus area. */
/** Agents as written to ralph.config.json (defaults left out). */
export type PlannedAgent = z.input<typeof AgentConfig>;

export function planAgents(opts: { kinds: AgentKind[]; workers?: number; topology: CpuTopology }): PlannedAgent[] {
  const workers = opts.workers ?? Math.max(1, opts.topology.cpus.length - 1);
  const kindOf = (index: number) => opts.kinds[Math.min(index, opts.kinds.length - 1)];
  const sets = cpusets(opts.topology, workers);
  const agents: PlannedAgent[] = [
    { id: 'W0', role: 'orchestrator', kind: kindOf(0), ...(sets.orchestrator ? { cpuset: sets.orchestrator } : {}) },
  ];
  for (let index = 1; index <= workers; index++) {
    const families = familiesForWorker(index, workers);
    const cpuset = sets.workers[index - 1];
    agents.push({
      id: `W${index}`,
      role: 'worker',
      kind: kindOf(index),
      ...(cpuset ? { cpuset } : {}),
      focus: {
        area: families.map((family) => family.area).join(', '),
        searchSpace: families.map((family) => family.searchSpace).join('; '),
      },
    });
  }
  return agents;
}
