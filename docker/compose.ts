// Exports the agents as a docker compose file, with cpusets planned for a given host.
import path from 'node:path';
import YAML from 'yaml';
import type { ContainerAgent } from './container-agent.js';
import {
  agentContainerSpec,
  CONTAINER_INSTALL,
  credentialsVolumeName,
  DEFAULT_AGENT_UID,
  EGRESS_MAIN,
  EGRESS_SOCKET,
  EGRESS_SOCKET_DIR,
  egressName,
  LABEL_AGENT,
  LABEL_WORKSPACE,
  type ContainerSpec,
  type WorkspaceMounts,
} from './container-spec.js';
import { LABEL_EGRESS_FOR } from './egress-sidecar.js';
import { planCpusets, readCpuTopology, validateCpusets, type CpuTopology } from './cpu-planner.js';

export interface ComposeOptions {
  /** The ralph-tui install mounted read-only into each service (default: this install). */
  ralphInstallDir?: string;
  /** uid:gid the agents run as (default: 1000:1000, the agent image's user). */
  user?: string;
  /** CPUs (or whole cores) per worker for planned cpusets; default: as many as divide evenly. */
  perWorker?: number;
  /** Physical cores kept for the system and the orchestrator. */
  reserveSystem?: number;
  wholeCores?: boolean;
  /** The workspace paths each agent mounts, made ready on this host (default: all of them, as they will be). */
  mounts?: (agentId: string) => WorkspaceMounts | undefined;
  /** Plan for this host topology instead of reading the local one (e.g. `--cores 32` for the target machine). */
  topology?: CpuTopology;
}

/** A host of `count` logical CPUs, one per core: for planning a compose file for another machine. */
export function flatTopology(count: number): CpuTopology {
  const cpus = Array.from({ length: count }, (_, cpu) => cpu);
  return { cpus, cores: cpus.map((cpu) => [cpu]) };
}

/** Compose reads `$` as interpolation; the agent's literal values must survive it. */
function escapeDollars(value: string): string {
  // A replacer function: in a replacement string "$$" itself means one "$".
  return value.replaceAll('$', () => '$$');
}

function service(spec: ContainerSpec, agent: ContainerAgent): Record<string, unknown> {
  const out: Record<string, unknown> = {
    image: spec.image,
    container_name: spec.name,
    user: spec.user,
    working_dir: spec.workingDir,
    command: spec.command.map(escapeDollars),
    labels: spec.labels,
    // Pass-through names without values: compose copies them from the host at `up`, never into this file.
    environment: [
      ...Object.entries(spec.env).map(([key, value]) => `${key}=${escapeDollars(value)}`),
      ...agent.passEnv,
    ],
    volumes: [
      ...spec.binds.map((bind) => ({
        type: 'bind',
        source: bind.source,
        target: bind.target,
        read_only: bind.readOnly,
      })),
      ...spec.volumes.map((volume) => ({
        type: 'volume',
        source: volume.name,
        target: volume.target,
        read_only: volume.readOnly,
      })),
    ],
    tmpfs: Object.entries(spec.tmpfs).map(([target, options]) => `${target}:${options}`),
    init: spec.init,
    read_only: spec.readOnlyRootfs,
    network_mode: spec.network,
  };
  if (spec.cpuset) out.cpuset = spec.cpuset;
  if (spec.nanoCpus) out.cpus = spec.nanoCpus / 1e9;
  if (spec.memoryBytes) Object.assign(out, { mem_limit: spec.memoryBytes, memswap_limit: spec.memoryBytes });
  Object.assign(out, { pids_limit: spec.pidsLimit, cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'] });
  if (spec.gpus !== undefined) {
    out.deploy = {
      resources: { reservations: { devices: [{ driver: 'nvidia', count: spec.gpus, capabilities: ['gpu'] }] } },
    };
  }
  return out;
}

/** The agent's egress proxy (the sidecar ralph-tui runs), on compose's default network. */
function egressService(spec: ContainerSpec, allow: string[]): Record<string, unknown> {
  const volume = spec.volumes.find((entry) => entry.target === EGRESS_SOCKET_DIR)!;
  const install = spec.binds.find((bind) => bind.target === CONTAINER_INSTALL)!;
  return {
    image: spec.image,
    container_name: volume.name,
    user: spec.user,
    entrypoint: ['node'],
    command: [EGRESS_MAIN, 'proxy', EGRESS_SOCKET],
    environment: [
      `RALPH_EGRESS_ALLOW=${escapeDollars(JSON.stringify(allow))}`,
      `RALPH_AGENT_ID=${spec.labels[LABEL_AGENT]}`,
    ],
    labels: { [LABEL_WORKSPACE]: spec.labels[LABEL_WORKSPACE], [LABEL_EGRESS_FOR]: spec.labels[LABEL_AGENT] },
    volumes: [
      { type: 'bind', source: install.source, target: CONTAINER_INSTALL, read_only: true },
      { type: 'volume', source: volume.name, target: EGRESS_SOCKET_DIR },
    ],
    init: true,
    read_only: true,
    cap_drop: ['ALL'],
    security_opt: ['no-new-privileges:true'],
    pids_limit: 64,
    mem_limit: '256m',
  };
}

/**
 * The docker-compose file equivalent to what `ralph-tui` creates through the Engine API (same image,
 * mounts, limits, labels), for people who prefer `docker compose up`. Agents without a cpuset get one
 * from the planner; every cpuset is checked for overlaps and CPUs the host lacks.
 */
export function composeFile(
  project: { name?: string; agents: ContainerAgent[] },
  workspace: string,
  options: ComposeOptions = {},
): string {
  const root = path.resolve(workspace);
  const agents = project.agents.map((agent) => ({ ...agent }));
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
  validateCpusets(
    agents.filter((agent) => agent.role === 'worker'),
    topology,
  );
  const user = options.user ?? `${DEFAULT_AGENT_UID}:${DEFAULT_AGENT_UID}`;
  const ralphInstallDir = options.ralphInstallDir ?? path.resolve(root);
  const services: Record<string, unknown> = {};
  const volumes: Record<string, unknown> = {};
  for (const agent of agents) {
    const spec = agentContainerSpec(agent, {
      workspace: root,
      ralphInstallDir,
      user,
      mounts: options.mounts?.(agent.id),
    });
    services[agent.id.toLowerCase()] = service(spec, agent);
    volumes[credentialsVolumeName(agent)] = { name: credentialsVolumeName(agent) };
    if (spec.egress.mode === 'filtered') {
      services[`${agent.id.toLowerCase()}-egress`] = egressService(spec, spec.egress.allow);
      const [uid, gid] = spec.user.split(':');
      volumes[egressName(agent)] = {
        name: egressName(agent),
        driver_opts: { type: 'tmpfs', device: 'tmpfs', o: `size=1m,uid=${uid},gid=${gid ?? uid},mode=0700` },
      };
    }
  }
  const projectName = `ralph-${(project.name ?? path.basename(root)).toLowerCase().replace(/[^a-z0-9_-]/g, '-')}`;
  // No top-level `name`: compose v1 (still Debian's docker-compose) rejects it. Container and volume names
  // are explicit, so the project name only labels the containers; the header passes it with -p.
  const header =
    `# Generated by \`ralph-tui compose\` — the containers ralph-tui would create, for docker compose (v2) or docker-compose (v1).\n` +
    `# Start: docker compose -p ${projectName} -f <this file> up -d   (v1: docker-compose -p ${projectName} -f <this file> up -d)\n` +
    `# Attach: docker exec -it <container> claude --dangerously-skip-permissions\n`;
  // YAML 1.1, which compose v1 (PyYAML) reads: a plain 501:20 there is the base-60 integer 30080, so
  // strings like user ids are quoted; compose v2 reads the quoted form the same.
  return header + YAML.stringify({ services, volumes }, { version: '1.1' });
}
