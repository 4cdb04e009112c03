// Create or reattach: finds the agent's container or creates it, checks it is the one the config describes, starts it.
import type Docker from 'dockerode';
import { UserError } from '../core/errors.js';
import type { ContainerAgent } from './container-agent.js';
import { checkCpuset, checkedContainerSpec, assertOurs } from './container-checks.js';
import { findByLabel, inspectRaw } from './container-lookup.js';
import { createOptions, securityDifferences } from './container-options.js';
import type { RecordedContainers } from './container-records.js';
import { CONTAINER_CLAUDE_CONFIG_DIR, EGRESS_SOCKET_DIR, type ContainerSpec } from './container-spec.js';
import { containerState, type ContainerState } from './container-state.js';
import { checkEgressForwarder, ensureEgressProxy } from './egress-sidecar.js';
import { agentDockerError, engineMessage, statusCode } from './engine-errors.js';
import type { EngineHandle } from './engine-pool.js';

/** What ensureContainer needs besides the engine and the agent. */
export interface EnsureContext {
  workspace: string;
  ralphInstallDir: string;
  records: RecordedContainers;
  /** Docker agents of the team on this engine: the default memory limit is a share of the engine's. */
  agentsOnEngine: number;
}

/** Finds the agent's container (reattach) or creates it, and makes sure it is running. */
export async function ensureContainer(
  handle: EngineHandle,
  agent: ContainerAgent,
  ctx: EnsureContext,
): Promise<ContainerState> {
  const byName = await inspectRaw(handle, agent.containerName);
  if (byName) assertOurs(byName, agent, ctx.workspace);
  const existing = byName ?? (await findByLabel(handle, ctx.workspace, agent));
  // Renamed in the config: the container keeps the volumes (the login) named after its first name.
  const login = existing?.Mounts?.find(
    (mount) => mount.Type === 'volume' && mount.Destination === CONTAINER_CLAUDE_CONFIG_DIR,
  )?.Name;
  const spec = await checkedContainerSpec(handle, agent, ctx.workspace, ctx.ralphInstallDir, {
    user: existing?.Config.User || undefined,
    volumeBase: login?.endsWith('-claude') ? login.slice(0, -'-claude'.length) : undefined,
    agentsOnEngine: ctx.agentsOnEngine,
  });
  if (existing) {
    // Secrets are exec'd into this container: it must be the one the config describes, not an older or edited one.
    const differences = securityDifferences(existing, spec);
    if (differences.length) {
      throw new UserError(
        `agent ${agent.id}: container ${existing.Name.replace(/^\//, '')} differs from what ralph.config.json asks for (${differences.join('; ')}) — run \`ralph-tui down\` first (logins are kept), then start again`,
      );
    }
  }
  const warnings = await ensureEgress(handle, spec, agent, ctx);
  let container: Docker.Container;
  if (existing) {
    container = handle.docker.getContainer(existing.Id);
    // Reattached by label after containerName changed in the config: keep the agent, take the new name.
    if (!byName)
      await container.rename({ name: agent.containerName }).catch((error: unknown) => {
        throw agentDockerError(error, agent, `renaming ${existing.Name.replace(/^\//, '')} to ${agent.containerName}`);
      });
    await updateResources(handle, container, existing, spec, agent);
    if (!existing.State.Running) await start(handle, container, agent, ctx.records);
    ctx.records.remember(agent, existing.Id, handle.where);
  } else {
    container = await create(handle, spec, agent);
    ctx.records.remember(agent, container.id, handle.where);
    await start(handle, container, agent, ctx.records);
  }
  if (spec.egress.mode === 'filtered' && warnings.length === 0) {
    const forwarder = await checkEgressForwarder(container, agent.id);
    if (forwarder) warnings.push(forwarder);
  }
  const state = containerState(await container.inspect(), handle.where);
  return warnings.length ? { ...state, warnings } : state;
}

/** The agent's egress proxy (filtered egress) and what the agent's tab must say about its network. */
async function ensureEgress(
  handle: EngineHandle,
  spec: ContainerSpec,
  agent: ContainerAgent,
  ctx: EnsureContext,
): Promise<string[]> {
  if (spec.egress.mode === 'open') return [spec.egress.warning];
  if (spec.egress.mode === 'none') return [];
  const volume = spec.volumes.find((entry) => entry.target === EGRESS_SOCKET_DIR)?.name;
  const proxy = await ensureEgressProxy({
    docker: handle.docker,
    where: handle.where,
    workspace: ctx.workspace,
    ralphInstallDir: ctx.ralphInstallDir,
    user: spec.user,
    agent,
    plan: spec.egress,
    volume,
  });
  return proxy.warning ? [proxy.warning] : [];
}

async function create(handle: EngineHandle, spec: ContainerSpec, agent: ContainerAgent): Promise<Docker.Container> {
  try {
    return await handle.docker.createContainer(createOptions(spec));
  } catch (error) {
    throw agentDockerError(error, agent, `creating ${spec.name}`);
  }
}

async function start(
  handle: EngineHandle,
  container: Docker.Container,
  agent: ContainerAgent,
  records: RecordedContainers,
): Promise<void> {
  try {
    await container.start();
  } catch (error) {
    if (statusCode(error) === 304) return;
    const message = engineMessage(error);
    if (agent.gpus !== undefined && /device driver|nvidia|gpu/i.test(message)) {
      // A container that can never start is removed, so the next attempt recreates it cleanly.
      await container.remove({ force: true }).catch(() => undefined);
      records.forget(agent.id);
      throw new UserError(
        `agent ${agent.id} asks for GPUs, but the Docker engine at ${handle.where} has no GPU runtime (install the NVIDIA Container Toolkit there, or remove "gpus")`,
      );
    }
    throw agentDockerError(error, agent, `starting ${agent.containerName}`);
  }
}

/** Reattached containers follow config edits of cpuset/cpus/memory/pids (what `docker update` can change). */
async function updateResources(
  handle: EngineHandle,
  container: Docker.Container,
  info: Docker.ContainerInspectInfo,
  spec: ContainerSpec,
  agent: ContainerAgent,
): Promise<void> {
  const host = info.HostConfig;
  const update: Record<string, unknown> = {};
  if ((spec.cpuset ?? '') !== (host.CpusetCpus ?? '')) update.CpusetCpus = spec.cpuset ?? '';
  if ((spec.nanoCpus ?? 0) !== (host.NanoCpus ?? 0)) update.NanoCpus = spec.nanoCpus ?? 0;
  if (spec.memoryBytes !== undefined && spec.memoryBytes !== host.Memory)
    Object.assign(update, { Memory: spec.memoryBytes, MemorySwap: spec.memoryBytes });
  if (spec.pidsLimit !== (host.PidsLimit ?? 0)) update.PidsLimit = spec.pidsLimit;
  if (Object.keys(update).length === 0) return;
  if (update.CpusetCpus) await checkCpuset(handle, agent);
  try {
    await container.update(update);
  } catch (error) {
    throw agentDockerError(error, agent, `updating the limits of ${agent.containerName}`);
  }
}
