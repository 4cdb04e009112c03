// Builds the create options of an agent container: image layout, user, mounts, environment and command.
import path from 'node:path';
import type Docker from 'dockerode';
import type { ContainerAgent } from './container-agent.js';
import { UserError } from '../core/errors.js';

/** Paths inside every agent container (the agent image's layout, see Dockerfile.agent). */
export const CONTAINER_WORKSPACE = '/workspace';
export const CONTAINER_INSTALL = '/opt/ralph-tui';
export const AGENT_HOME = '/home/agent';
/** The shell wrapper that makes `ralph-tui` callable inside (runs the mounted install with the image's node). */
export const WRAPPER_DIR = `${CONTAINER_INSTALL}/docker/bin`;
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** When no uid owns the workspace other than root, agents run as the image's `agent` user. */
export const DEFAULT_AGENT_UID = 1000;

export const LABEL_WORKSPACE = 'ralph.workspace';
export const LABEL_AGENT = 'ralph.agent';

/**
 * The container only has to stay up: agents run through `docker exec` in a pty. PID 1 ignores signals
 * without a handler, so trap TERM to make `docker stop` quick instead of waiting for the kill timeout.
 */
export const KEEPALIVE_COMMAND = ['sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'];

/** Everything about one agent's container, independent of how it is created (Engine API or compose). */
export interface ContainerSpec {
  name: string;
  image: string;
  user: string;
  workingDir: string;
  command: string[];
  labels: Record<string, string>;
  /** Literal env from the config (never the pass-through names, which are added per exec). */
  env: Record<string, string>;
  binds: { source: string; target: string; readOnly: boolean }[];
  credentialsVolume: { name: string; target: string };
  cpuset?: string;
  nanoCpus?: number;
  memoryBytes?: number;
  pidsLimit: number;
  gpus?: 'all' | number;
  network?: string;
}

export const DEFAULT_PIDS_LIMIT = 4096;

/** "8g", "512m", "1.5g", "100000k", a number of bytes → bytes (powers of 1024, as Docker reads them). */
export function parseMemory(value: string | number, where = 'memory'): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)([kmg]?)b?$/i.exec(value.trim());
  if (!match) throw new UserError(`${where}: "${value}" is not a size like "8g" or "512m"`);
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(match[1]) * scale);
}

/** The per-agent named volume that keeps Claude's login (~/.claude) across container re-creation. */
export function credentialsVolumeName(agent: ContainerAgent): string {
  return `${agent.containerName}-claude`;
}

export function agentContainerSpec(
  agent: ContainerAgent,
  context: { workspace: string; ralphInstallDir: string; user: string; imagePath?: string },
): ContainerSpec {
  const workspace = path.resolve(context.workspace);
  return {
    name: agent.containerName,
    image: agent.image,
    user: context.user,
    workingDir: CONTAINER_WORKSPACE,
    command: KEEPALIVE_COMMAND,
    labels: { [LABEL_WORKSPACE]: workspace, [LABEL_AGENT]: agent.id },
    env: {
      ...agent.env,
      HOME: AGENT_HOME,
      PATH: `${WRAPPER_DIR}:${context.imagePath ?? DEFAULT_PATH}`,
      RALPH_WORKSPACE: CONTAINER_WORKSPACE,
      // The host's name for the workspace, for paths written into files the host reads (MLflow's URIs).
      RALPH_HOST_WORKSPACE: workspace,
      RALPH_AGENT_ID: agent.id,
    },
    binds: [
      { source: workspace, target: CONTAINER_WORKSPACE, readOnly: false },
      { source: path.resolve(context.ralphInstallDir), target: CONTAINER_INSTALL, readOnly: true },
    ],
    credentialsVolume: { name: credentialsVolumeName(agent), target: `${AGENT_HOME}/.claude` },
    cpuset: agent.cpuset,
    nanoCpus: agent.cpus === undefined ? undefined : Math.round(agent.cpus * 1e9),
    memoryBytes: agent.memory === undefined ? undefined : parseMemory(agent.memory, `agent ${agent.id}: memory`),
    pidsLimit: agent.pidsLimit ?? DEFAULT_PIDS_LIMIT,
    gpus: agent.gpus,
    network: agent.network,
  };
}

/** The Engine API's create body for a spec; `networkMode` undefined is the engine's default network. */
export function createOptions(spec: ContainerSpec, networkMode: string | undefined): Docker.ContainerCreateOptions {
return {
    name: spec.name,
    Image: spec.image,
    User: spec.user,
    WorkingDir: spec.workingDir,
    Cmd: spec.command,
    Labels: spec.labels,
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    HostConfig: {
      Mounts: [
        ...spec.binds.map((bind) => ({ Type: 'bind' as const, Source: bind.source, Target: bind.target, ReadOnly: bind.readOnly })),
        {
          Type: 'volume' as const,
          Source: spec.credentialsVolume.name,
          Target: spec.credentialsVolume.target,
          // NoCopy false: a new volume starts with the image's ~/.claude (and its ownership).
          VolumeOptions: { NoCopy: false, Labels: spec.labels, DriverConfig: { Name: 'local', Options: {} } },
        },
      ],
      CpusetCpus: spec.cpuset,
      NanoCpus: spec.nanoCpus,
      Memory: spec.memoryBytes,
      // Swap equal to the limit: the limit is real, and exceeding it shows as OOM-killed.
      MemorySwap: spec.memoryBytes,
      PidsLimit: spec.pidsLimit,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      NetworkMode: networkMode,
      RestartPolicy: { Name: 'no' },
      DeviceRequests: spec.gpus === undefined ? undefined : [{ Driver: 'nvidia', Count: spec.gpus === 'all' ? -1 : spec.gpus, Capabilities: [['gpu']] }],
    },
  };
}

/**
 * Refuses to bind a folder that holds the engine's socket: an agent with the socket controls the engine
 * (and through it the host), which defeats every other restriction on its container.
 */
export function assertNoDockerSocket(spec: ContainerSpec, socketPaths: string[]): void {
  for (const bind of spec.binds) {
    const source = path.resolve(bind.source);
    for (const socket of socketPaths) {
      const resolved = path.resolve(socket);
      if (resolved === source || resolved.startsWith(source.endsWith(path.sep) ? source : source + path.sep)) {
        throw new UserError(
          `refusing to mount ${source} into ${spec.name}: it contains the Docker socket ${resolved}, which would give the agent control of the engine — use a workspace folder that does not contain it`,
        );
      }
    }
  }
}
