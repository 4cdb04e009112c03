// Checks before an agent's container is created or reused: ours, its image present, no Docker socket, real CPUs.
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { UserError } from '../core/errors.js';
import type { ContainerAgent } from './container-agent.js';
import {
  agentContainerSpec,
  assertNoDockerSocket,
  DEFAULT_PATH,
  defaultMemoryBytes,
  LABEL_AGENT,
  LABEL_WORKSPACE,
  type ContainerSpec,
} from './container-spec.js';
import { formatCpuList, parseCpuList } from './cpu-planner.js';
import { DEFAULT_SOCKET } from './engine.js';
import type { EngineHandle } from './engine-pool.js';
import { agentDockerError, statusCode } from './engine-errors.js';
import { assertAgentCanWrite, prepareWorkspaceMounts, workspaceUser } from './workspace-access.js';

function realpathOr(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** A container under the agent's name must carry this workspace's and this agent's labels. */
export function assertOurs(info: Docker.ContainerInspectInfo, agent: ContainerAgent, workspace: string): void {
  const labels = info.Config.Labels ?? {};
  if (labels[LABEL_WORKSPACE] === workspace && labels[LABEL_AGENT] === agent.id) return;
  const owner = labels[LABEL_WORKSPACE]
    ? `agent ${labels[LABEL_AGENT] ?? '?'} of workspace ${labels[LABEL_WORKSPACE]}`
    : 'not a ralph-tui container';
  throw new UserError(
    `a container named ${agent.containerName} already exists (${owner}) — remove it, or set containerName for agent ${agent.id} in ralph.config.json`,
  );
}

/** Docker's own message for a missing CPU ("Requested CPUs are not available") names no agent. */
export async function checkCpuset(handle: EngineHandle, agent: ContainerAgent): Promise<void> {
  if (!agent.cpuset) return;
  const info = (await handle.docker.info()) as { NCPU?: number };
  const count = info.NCPU ?? 0;
  const missing = parseCpuList(agent.cpuset).filter((cpu) => cpu >= count);
  if (count > 0 && missing.length) {
    throw new UserError(
      `agent ${agent.id}: cpuset "${agent.cpuset}" names CPU ${formatCpuList(missing)}, but the Docker engine at ${handle.where} has CPUs 0-${count - 1}`,
    );
  }
}

/** What the spec of an agent's container also depends on. */
export interface SpecChoices {
  /** The user an existing container runs as (default: the workspace owner's). */
  user?: string;
  /** The container name its volumes are named after (see SpecContext.volumeBase). */
  volumeBase?: string;
  /** Docker agents on the same engine, who share its memory (default 1). */
  agentsOnEngine?: number;
}

/**
 * The spec of the agent's container, once its image is on the engine, the workspace is writable by the agent's
 * user, the mounted workspace paths are real folders (no links), no mount exposes the engine's socket (directly
 * or through a symlink) and its CPUs exist.
 */
export async function checkedContainerSpec(
  handle: EngineHandle,
  agent: ContainerAgent,
  workspace: string,
  ralphInstallDir: string,
  choices: SpecChoices = {},
): Promise<ContainerSpec> {
  let image: Docker.ImageInspectInfo;
  try {
    image = await handle.docker.getImage(agent.image).inspect();
  } catch (error) {
    if (statusCode(error) === 404) {
      throw new UserError(
        `image ${agent.image} (agent ${agent.id}) is not on the Docker engine at ${handle.where} — build it with \`ralph-tui image build\``,
      );
    }
    throw agentDockerError(error, agent, `inspecting image ${agent.image}`);
  }
  const imagePath = (image.Config?.Env ?? []).find((entry) => entry.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH;
  const user = choices.user ?? workspaceUser(workspace);
  assertAgentCanWrite(workspace, user);
  const mounts = prepareWorkspaceMounts(workspace, agent.id, user);
  const { MemTotal } = (await handle.docker.info()) as { MemTotal?: number };
  const defaultMemory = MemTotal ? defaultMemoryBytes(MemTotal, choices.agentsOnEngine ?? 1) : undefined;
  const spec = agentContainerSpec(agent, {
    workspace,
    ralphInstallDir,
    user,
    imagePath,
    mounts,
    defaultMemoryBytes: defaultMemory,
    volumeBase: choices.volumeBase,
  });
  const sockets = [
    DEFAULT_SOCKET,
    '/run/docker.sock',
    ...(handle.target.kind === 'unix' ? [handle.target.socketPath] : []),
  ];
  assertNoDockerSocket(spec, sockets);
  assertNoDockerSocket(
    { ...spec, binds: spec.binds.map((bind) => ({ ...bind, source: realpathOr(bind.source) })) },
    sockets.map(realpathOr),
  );
  await checkCpuset(handle, agent);
  return spec;
}
