// Builds the create options of an agent container: image layout, user, mounts, environment and command.
import path from 'node:path';
import type { ContainerAgent } from './container-agent.js';
import { UserError } from '../core/errors.js';
import { workspacePaths } from '../core/workspace-paths.js';

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
  /** Named volumes: the Claude login (persistent) and the egress proxy's socket (shared with its sidecar). */
  volumes: { name: string; target: string; readOnly: boolean }[];
  /** In-memory mounts: where tools write on a read-only root, and the mask over the supervisor's `.ralph`. */
  tmpfs: Record<string, string>;
  init: true;
  readOnlyRootfs: true;
  cpuset?: string;
  nanoCpus?: number;
  memoryBytes?: number;
  pidsLimit: number;
  gpus?: 'all' | number;
  network: string;
  egress: EgressPlan;
}

export const DEFAULT_PIDS_LIMIT = 4096;

/** Where agents reach the egress proxy: a forwarder in their container relays this loopback port to its socket. */
export const EGRESS_PORT = 3128;
export const EGRESS_SOCKET_DIR = '/run/ralph-egress';
export const EGRESS_SOCKET = `${EGRESS_SOCKET_DIR}/proxy.sock`;
/** The proxy and the forwarder, run by the image's node from the read-only install. */
export const EGRESS_MAIN = `${CONTAINER_INSTALL}/dist/docker/egress-main.js`;
/** The agent's own writable folder (hook status), the only supervisor-side folder it can write. */
export const CONTAINER_STATUS_DIR = '/run/ralph';
export const CONTAINER_STATUS_FILE = `${CONTAINER_STATUS_DIR}/status.json`;
/** The agent's CLAUDE_CONFIG_DIR in its container: its credentials (login) volume, so logins and answers persist. */
export const CONTAINER_CLAUDE_CONFIG_DIR = `${AGENT_HOME}/.claude`;

/**
 * How an agent's container reaches the network. `filtered` (the default): no network interface but loopback, and an
 * allow-list proxy in a sidecar container reached through a unix socket — enforced by the kernel's network
 * namespaces, so it holds on engines without iptables or a bridge. `none`: no network at all. `open`: a network
 * the config named (host only with allowHostNetwork), unfiltered, which the agent's tab says.
 */
export type EgressPlan =
  | { mode: 'filtered'; allow: string[]; proxyNetwork?: string }
  | { mode: 'none' }
  | { mode: 'open'; network: string; warning: string };

/** True for the network modes that put the agent in the host's (or another container's) network namespace. */
export function isHostNetwork(network: string | undefined): boolean {
  return network === 'host' || Boolean(network?.startsWith('container:'));
}

export function egressPlan(agent: ContainerAgent): EgressPlan {
  const network = agent.network;
  if (network === undefined)
    return { mode: 'filtered', allow: agent.egressAllow, proxyNetwork: agent.egressProxyNetwork };
  if (network === 'none') return { mode: 'none' };
  if (isHostNetwork(network)) {
    if (!agent.allowHostNetwork) {
      throw new UserError(
        `agent ${agent.id}: network "${network}" gives the agent the host's network unfiltered — set "allowHostNetwork": true in ralph.config.json to allow it`,
      );
    }
    return { mode: 'open', network, warning: `network ${network}: egress is not filtered (allowHostNetwork)` };
  }
  return {
    mode: 'open',
    network,
    warning: `network ${network}: egress is not filtered (the allow-list applies when "network" is not set)`,
  };
}

/** The proxy variables every tool reads (curl, git, npm, pip, uv, node's claude CLI), both spellings. */
export function egressEnv(): Record<string, string> {
  const proxy = `http://127.0.0.1:${EGRESS_PORT}`;
  const noProxy = 'localhost,127.0.0.1,::1';
  return {
    HTTPS_PROXY: proxy,
    HTTP_PROXY: proxy,
    https_proxy: proxy,
    http_proxy: proxy,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
  };
}

/** The keep-alive, plus (filtered egress) the loopback forwarder to the proxy's socket. */
export function keepaliveCommand(egress: EgressPlan): string[] {
  if (egress.mode !== 'filtered') return KEEPALIVE_COMMAND;
  const forward =
    `if command -v node >/dev/null; then node ${EGRESS_MAIN} forward ${EGRESS_SOCKET} ${EGRESS_PORT} & ` +
    `else echo "ralph-egress: the image has no node to run the egress forwarder, so this agent has no network"; fi`;
  return ['sh', '-c', `${forward}; ${KEEPALIVE_COMMAND[2]}`];
}

/**
 * The default memory limit: an even share of three quarters of the engine's memory among the agents on it, so
 * together they cannot push the host into swap or its OOM killer (at least 512 MiB each).
 */
export function defaultMemoryBytes(engineMemoryBytes: number, agentsOnEngine: number): number {
  const share = Math.floor((engineMemoryBytes * 0.75) / Math.max(1, agentsOnEngine) / 1024 ** 2) * 1024 ** 2;
  return Math.max(512 * 1024 ** 2, share);
}

/** "8g", "512m", "1.5g", "100000k", a number of bytes → bytes (powers of 1024, as Docker reads them). */
export function parseMemory(value: string | number, where = 'memory'): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)([kmg]?)b?$/i.exec(value.trim());
  if (!match) throw new UserError(`${where}: "${value}" is not a size like "8g" or "512m"`);
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(match[1]) * scale);
}

/** The per-agent named volume that keeps Claude's login (~/.claude) across container re-creation. */
export function credentialsVolumeName(agent: { containerName: string }): string {
  return `${agent.containerName}-claude`;
}

/** The per-agent volume (in memory) holding the egress proxy's socket; also names the proxy's sidecar container. */
export function egressName(agent: { containerName: string }): string {
  return `${agent.containerName}-egress`;
}

/**
 * Host paths of the workspace as containers see it. The supervisor's own state (`.ralph`: transcripts, events,
 * records, lock, wrapper) is masked; inside it only the shared run-progress folder and the agent's own status
 * folder are mounted. The config and the dataset are read-only.
 */
export interface WorkspaceMounts {
  workspace: string;
  config?: string;
  data?: string;
  progress: string;
  statusDir?: string;
}

export interface SpecContext {
  workspace: string;
  ralphInstallDir: string;
  user: string;
  imagePath?: string;
  mounts?: WorkspaceMounts;
  /** Memory limit when the agent sets none (see defaultMemoryBytes). */
  defaultMemoryBytes?: number;
  /** The container name the agent's volumes are named after: its first name, kept when containerName changes. */
  volumeBase?: string;
}

/** The layout of the workspace inside a container, from its host paths (defaults: everything present). */
export function workspaceMounts(workspace: string, agentId?: string): WorkspaceMounts {
  const paths = workspacePaths(path.resolve(workspace));
  return {
    workspace: paths.root,
    config: paths.config,
    data: paths.data,
    progress: paths.progress,
    statusDir: agentId ? paths.agentDir(agentId) : undefined,
  };
}

/** Binds and in-memory mounts shared by agent and experiment containers. */
function hardenedMounts(mounts: WorkspaceMounts, ralphInstallDir: string, user: string) {
  const [uid, gid] = user.split(':');
  const inWorkspace = (file: string) =>
    `${CONTAINER_WORKSPACE}/${path.relative(mounts.workspace, file).split(path.sep).join('/')}`;
  const binds = [
    { source: mounts.workspace, target: CONTAINER_WORKSPACE, readOnly: false },
    { source: path.resolve(ralphInstallDir), target: CONTAINER_INSTALL, readOnly: true },
    ...(mounts.config ? [{ source: mounts.config, target: inWorkspace(mounts.config), readOnly: true }] : []),
    ...(mounts.data ? [{ source: mounts.data, target: inWorkspace(mounts.data), readOnly: true }] : []),
    { source: mounts.progress, target: inWorkspace(mounts.progress), readOnly: false },
    ...(mounts.statusDir ? [{ source: mounts.statusDir, target: CONTAINER_STATUS_DIR, readOnly: false }] : []),
  ];
  const tmpfs = {
    // Read-only and empty: mount points for the binds above are made by the engine, nothing else is visible. Owned
    // by the agent's uid: runc gives a tmpfs the mode of the folder it covers (the host's .ralph is 0700, so mode=0555
    // read 0700 root inside, measured) and the agent could not reach the progress folder mounted in it.
    [`${CONTAINER_WORKSPACE}/.ralph`]: `ro,nosuid,nodev,noexec,size=64k,mode=0555,uid=${uid},gid=${gid ?? uid}`,
    '/tmp': 'rw,nosuid,nodev,size=1g,mode=1777',
    // node, npm, uv and pip write caches and settings under HOME; the root filesystem is read-only.
    [AGENT_HOME]: `rw,nosuid,nodev,size=1g,uid=${uid},gid=${gid ?? uid},mode=0700`,
  };
  return { binds, tmpfs };
}

export function agentContainerSpec(agent: ContainerAgent, context: SpecContext): ContainerSpec {
  const workspace = path.resolve(context.workspace);
  const mounts = context.mounts ?? workspaceMounts(workspace, agent.id);
  const egress = egressPlan(agent);
  const { binds, tmpfs } = hardenedMounts(mounts, context.ralphInstallDir, context.user);
  const labels = { [LABEL_WORKSPACE]: workspace, [LABEL_AGENT]: agent.id };
  const volumesOf = { containerName: context.volumeBase ?? agent.containerName };
  return {
    name: agent.containerName,
    image: agent.image,
    user: context.user,
    workingDir: CONTAINER_WORKSPACE,
    command: keepaliveCommand(egress),
    labels,
    env: {
      ...agent.env,
      ...(egress.mode === 'filtered' ? egressEnv() : {}),
      HOME: AGENT_HOME,
      // Claude Code keeps .claude.json in HOME unless told otherwise; HOME is in memory, the login volume is not.
      CLAUDE_CONFIG_DIR: CONTAINER_CLAUDE_CONFIG_DIR,
      PATH: `${WRAPPER_DIR}:${context.imagePath ?? DEFAULT_PATH}`,
      RALPH_WORKSPACE: CONTAINER_WORKSPACE,
      // The host's name for the workspace, for paths written into files the host reads (MLflow's URIs).
      RALPH_HOST_WORKSPACE: workspace,
      RALPH_AGENT_ID: agent.id,
      RALPH_STATUS_DIR: CONTAINER_STATUS_DIR,
      RALPH_STATUS_FILE: CONTAINER_STATUS_FILE,
    },
    binds,
    volumes: [
      { name: credentialsVolumeName(volumesOf), target: CONTAINER_CLAUDE_CONFIG_DIR, readOnly: false },
      ...(egress.mode === 'filtered'
        ? [{ name: egressName(volumesOf), target: EGRESS_SOCKET_DIR, readOnly: true }]
        : []),
    ],
    tmpfs,
    init: true,
    readOnlyRootfs: true,
    cpuset: agent.cpuset,
    nanoCpus: agent.cpus === undefined ? undefined : Math.round(agent.cpus * 1e9),
    memoryBytes:
      agent.memory === undefined ? context.defaultMemoryBytes : parseMemory(agent.memory, `agent ${agent.id}: memory`),
    pidsLimit: agent.pidsLimit ?? DEFAULT_PIDS_LIMIT,
    gpus: agent.gpus,
    network: egress.mode === 'open' ? egress.network : 'none',
    egress,
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
