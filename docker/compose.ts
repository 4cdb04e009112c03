import path from 'node:path';
import YAML from 'yaml';
import { resolveAgent, type RalphConfig, type ResolvedAgent } from '../src/config.js';
import { agentContainerSpec, DEFAULT_AGENT_UID, type ContainerSpec } from './container-spec.js';
import { planCpusets, readCpuTopology, validateCpusets, type CpuTopology } from './cpu-planner.js';

export interface ComposeOptions {
  /** The ralph-tui install mounted read-only into each service (default: this install). */
  ralphInstallDir?: string;
  /** uid:gid the agents run as (default: 1000:1000, the agent image's user). */
  user?: string;
  /** Number of workers (W1..WN); extra ones copy the last configured worker. Default: the config's workers. */
  workers?: number;
  /** CPUs (or whole cores) per worker for planned cpusets; default: as many as divide evenly. */
  perWorker?: number;
  /** Physical cores kept for the system and the orchestrator. */
  reserveSystem?: number;
  wholeCores?: boolean;
  /** Plan for this host topology instead of reading the local one (e.g. `--cores 32` for the target machine). */
  topology?: CpuTopology;
}

/** A host of `count` logical CPUs, one per core: for planning a compose file for another machine. */
export function flatTopology(count: number): CpuTopology {
  const cpus = Array.from({ length: count }, (_, cpu) => cpu);
  return { cpus, cores: cpus.map((cpu) => [cpu]) };
}

/** Workers W1..WN from the config; missing ones copy the last configured worker with a new id. */
function agentsFor(config: RalphConfig, workers?: number): RalphConfig['agents'] {
  const orchestrators = config.agents.filter((agent) => agent.role === 'orchestrator');
  const configured = config.agents.filter((agent) => agent.role === 'worker');
  if (workers === undefined) return [...orchestrators, ...configured];
  const template = configured.at(-1) ?? { id: 'W1', role: 'worker' as const, kind: 'claude' as const, env: {} };
  const list = Array.from({ length: workers }, (_, i) => {
    const id = `W${i + 1}`;
    return configured.find((agent) => agent.id === id) ?? { ...template, id, cpuset: undefined, containerName: undefined };
  });
  return [...orchestrators.filter((agent) => !list.some((worker) => worker.id === agent.id)), ...list];
}

/** Compose reads `$` as interpolation; the agent's literal values must survive it. */
function escapeDollars(value: string): string {
  // A replacer function: in a replacement string "$$" itself means one "$".
  return value.replaceAll('$', () => '$$');
}

function service(spec: ContainerSpec, agent: ResolvedAgent): Record<string, unknown> {
  const out: Record<string, unknown> = {
    image: spec.image,
    container_name: spec.name,
    user: spec.user,
    working_dir: spec.workingDir,
    command: spec.command.map(escapeDollars),
    labels: spec.labels,
    // Pass-through names without values: compose copies them from the host at `up`, never into this file.
    environment: [...Object.entries(spec.env).map(([key, value]) => `${key}=${escapeDollars(value)}`), ...agent.passEnv],
    volumes: [
      ...spec.binds.map((bind) => ({ type: 'bind', source: bind.source, target: bind.target, read_only: bind.readOnly })),
      { type: 'volume', source: spec.credentialsVolume.name, target: spec.credentialsVolume.target },
    ],
  };
  if (spec.cpuset) out.cpuset = spec.cpuset;
  if (spec.nanoCpus) out.cpus = spec.nanoCpus / 1e9;
  if (spec.memoryBytes) Object.assign(out, { mem_limit: spec.memoryBytes, memswap_limit: spec.memoryBytes });
  Object.assign(out, { pids_limit: spec.pidsLimit, cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'] });
  if (spec.network) out.network_mode = spec.network;
  if (spec.gpus !== undefined) {
    out.deploy = { resources: { reservations: { devices: [{ driver: 'nvidia', count: spec.gpus, capabilities: ['gpu'] }] } } };
  }
  return out;
}

/**
 * The docker-compose file equivalent to what `ralph-tui` creates through the Engine API (same image,
 * mounts, limits, labels), for people who prefer `docker compose up`. Agents without a cpuset get one
 * from the planner; every cpuset is checked for overlaps and CPUs the host lacks.
 */
export function composeFile(config: RalphConfig, workspace: string, options: ComposeOptions = {}): string {
  const root = path.resolve(workspace);
  const agents = agentsFor(config, options.workers).map((agent) => resolveAgent(config, agent, root));
  const topology = options.topology ?? readCpuTopology();
  const workers = agents.filter((agent) => agent.role === 'worker');
  if (agents.some((agent) => !agent.cpuset)) {
    const plan = planCpusets({
      workers: Math.max(1, workers.length),
      reserveSystem: options.reserveSystem,
      wholeCores: options.wholeCores,
      perWorker: options.perWorker,
      topology,
    });
    for (const agent of agents) {
      if (agent.cpuset) continue;
      agent.cpuset = agent.role === 'orchestrator' ? plan.orchestrator : plan.workers[workers.indexOf(agent)];
    }
  }
  // The orchestrator shares the system's cores by design; only agents with dedicated cores must not overlap.
  validateCpusets(agents.filter((agent) => agent.role === 'worker'), topology);
  const user = options.user ?? `${DEFAULT_AGENT_UID}:${DEFAULT_AGENT_UID}`;
  const ralphInstallDir = options.ralphInstallDir ?? path.resolve(root);
  const services: Record<string, unknown> = {};
  const volumes: Record<string, unknown> = {};
  for (const agent of agents) {
    const spec = agentContainerSpec(agent, { workspace: root, ralphInstallDir, user });
    services[agent.id.toLowerCase()] = service(spec, agent);
    volumes[spec.credentialsVolume.name] = { name: spec.credentialsVolume.name };
  }
  const name = `ralph-${(config.name ?? path.basename(root)).toLowerCase().replace(/[^a-z0-9_-]/g, '-')}`;
  const header = `# Generated by \`ralph-tui compose\` — the containers ralph-tui would create, for docker compose.\n# Start: docker compose -f <this file> up -d; then attach: docker exec -it <container> claude --dangerously-skip-permissions\n`;
  return header + YAML.stringify({ name, services, volumes });
}
