// Reads the host's CPU topology and plans, formats and validates each agent's cpuset.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';

export const SYS_CPU_DIR = '/sys/devices/system/cpu';

/** The host's online logical CPUs grouped by physical core (SMT siblings together), cores in CPU order. */
export interface CpuTopology {
  cpus: number[];
  cores: number[][];
}

/** Parses a Linux CPU list like "0-3,8,10-11" (sysfs files and Docker's CpusetCpus use the same format). */
export function parseCpuList(text: string): number[] {
  const cpus = new Set<number>();
  for (const part of text.trim().split(',')) {
    if (!part) continue;
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) throw new UserError(`"${text.trim()}" is not a CPU list (expected something like "0-3,8")`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) throw new UserError(`"${text.trim()}" has a descending range ${part}`);
    for (let cpu = from; cpu <= to; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** The shortest CPU list for a set of CPUs: [0,1,2,3,8] → "0-3,8". */
export function formatCpuList(cpus: Iterable<number>): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Reads the host's cores and SMT siblings from sysfs. A CPU without a topology folder (some VMs and
 * containers) counts as its own core.
 */
export function readCpuTopology(root = SYS_CPU_DIR): CpuTopology {
  const online = readText(path.join(root, 'online'));
  let cpus: number[];
  if (online) cpus = parseCpuList(online);
  else {
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(root);
    } catch {
      throw new UserError(`cannot read the CPU topology at ${root}`);
    }
    cpus = entries.flatMap((name) => (/^cpu\d+$/.test(name) ? [Number(name.slice(3))] : [])).sort((a, b) => a - b);
  }
  if (cpus.length === 0) throw new UserError(`no CPUs found at ${root}`);
  const onlineSet = new Set(cpus);
  const coreOf = new Map<number, string>();
  for (const cpu of cpus) {
    const siblings = readText(path.join(root, `cpu${cpu}`, 'topology', 'thread_siblings_list'));
    const members = siblings ? parseCpuList(siblings).filter((c) => onlineSet.has(c)) : [cpu];
    coreOf.set(cpu, formatCpuList(members.length ? members : [cpu]));
  }
  const cores = new Map<string, number[]>();
  for (const cpu of cpus) {
    const key = coreOf.get(cpu)!;
    if (!cores.has(key)) cores.set(key, []);
    cores.get(key)!.push(cpu);
  }
  return { cpus, cores: [...cores.values()] };
}

export interface PlanOptions {
  workers: number;
  /** Physical cores kept for the system and the orchestrator (which mostly waits on the API). Default 1. */
  reserveSystem?: number;
  /** Give each worker whole physical cores (all SMT siblings), so no two workers share a core. */
  wholeCores?: boolean;
  /** Cores (whole cores) or CPUs per worker; default: as many as divide evenly. */
  perWorker?: number;
  topology?: CpuTopology;
}

export interface CpuPlan {
  /** CPUs left to the system; the orchestrator runs on these too. */
  system: string;
  orchestrator: string;
  /** workers[i] is the cpuset of W(i+1). */
  workers: string[];
}

/**
 * Gives every worker its own CPUs so experiment timings are honest (shared cores inflated them by ~50% in the
 * original deployment). System cores come first (CPU 0 takes most interrupts), then workers in core order, so a
 * worker's CPUs are SMT siblings whenever it gets more than one.
 */
export function planCpusets(options: PlanOptions): CpuPlan {
  const topology = options.topology ?? readCpuTopology();
  const reserve = options.reserveSystem ?? 1;
  if (!Number.isInteger(options.workers) || options.workers < 1)
    throw new UserError(`workers must be a positive whole number, got ${options.workers}`);
  if (!Number.isInteger(reserve) || reserve < 0)
    throw new UserError(`the system reserve must be a whole number of cores, got ${reserve}`);
  if (reserve >= topology.cores.length) {
    throw new UserError(
      `cannot reserve ${reserve} core${reserve === 1 ? '' : 's'} for the system: this host has only ${topology.cores.length} physical core${topology.cores.length === 1 ? '' : 's'} (${formatCpuList(topology.cpus)})`,
    );
  }
  const systemCpus = topology.cores.slice(0, reserve).flat();
  const rest = topology.cores.slice(reserve);
  const units: number[][] = options.wholeCores ? rest : rest.flat().map((cpu) => [cpu]);
  const unitName = options.wholeCores ? 'physical core' : 'CPU';
  const per = options.perWorker ?? Math.floor(units.length / options.workers);
  if (per < 1 || per * options.workers > units.length) {
    throw new UserError(
      `cannot give ${options.workers} worker${options.workers === 1 ? '' : 's'} ${options.perWorker ?? 1} dedicated ${unitName}${(options.perWorker ?? 1) === 1 ? '' : 's'} each: ` +
        `${units.length} ${unitName}${units.length === 1 ? '' : 's'} left after reserving ${reserve} core${reserve === 1 ? '' : 's'} for the system`,
    );
  }
  const workers: string[] = [];
  for (let i = 0; i < options.workers; i++) workers.push(formatCpuList(units.slice(i * per, (i + 1) * per).flat()));
  const system = formatCpuList(systemCpus);
  return { system, orchestrator: system, workers };
}

/**
 * Rejects cpusets that name CPUs this host does not have, or that two agents share (either would make
 * Docker fail late with a vague message, or make timings dishonest).
 */
export function validateCpusets(
  agents: ReadonlyArray<{ id: string; cpuset?: string }>,
  topology: CpuTopology = readCpuTopology(),
): void {
  const available = new Set(topology.cpus);
  const owner = new Map<number, { id: string; cpuset: string }>();
  for (const agent of agents) {
    if (!agent.cpuset) continue;
    const cpus = parseCpuList(agent.cpuset);
    const missing = cpus.filter((cpu) => !available.has(cpu));
    if (missing.length) {
      throw new UserError(
        `agent ${agent.id}: cpuset "${agent.cpuset}" names CPU ${formatCpuList(missing)}, but this host has CPUs ${formatCpuList(topology.cpus)}`,
      );
    }
    for (const cpu of cpus) {
      const other = owner.get(cpu);
      if (other) {
        throw new UserError(
          `agents ${other.id} and ${agent.id} both use CPU ${cpu} (cpusets "${other.cpuset}" and "${agent.cpuset}"); give each agent its own CPUs`,
        );
      }
      owner.set(cpu, { id: agent.id, cpuset: agent.cpuset });
    }
  }
}
