// The agents' containers over their whole life: create or reattach, start, stop, inspect, remove, down.
import path from 'node:path';
import type Docker from 'dockerode';
import { UserError } from '../core/errors.js';
import { workspacePaths } from '../core/workspace-paths.js';
import { killContainerAgent } from './agent-process.js';
import type { ContainerAgent, EngineChoice } from './container-agent.js';
import { assertOurs, checkCpuset, checkedContainerSpec } from './container-checks.js';
import { RecordedContainers } from './container-records.js';
import { createOptions, securityDifferences } from './container-options.js';
import {
  CONTAINER_CLAUDE_CONFIG_DIR,
  EGRESS_SOCKET_DIR,
  egressName,
  LABEL_AGENT,
  LABEL_WORKSPACE,
  type ContainerSpec,
} from './container-spec.js';
import { containerState, type ContainerState } from './container-state.js';
import type { EgressLogLine } from './egress-proxy.js';
import { checkEgressForwarder, ensureEgressProxy, followEgressDenials, LABEL_EGRESS_FOR } from './egress-sidecar.js';
import { describeEngine, resolveEngine } from './engine.js';
import { EnginePool, type EngineHandle } from './engine-pool.js';
import { agentDockerError, engineMessage, statusCode } from './engine-errors.js';
import { execCommand } from './exec-command.js';
import type { ContainerStats } from './stats.js';
import { oomEventsSinceStart, StatsSampler } from './stats-sampler.js';

/**
 * The agents' containers on one or more Docker engines: create, start, stop, inspect, reattach, remove.
 * Containers outlive this object (and the supervisor): a new instance finds them by name and labels and
 * reattaches; `.ralph/containers.json` remembers what was created so a container removed out of band reads
 * as gone, never as running.
 */
export class AgentContainers {
  private readonly workspace: string;
  private readonly ralphInstallDir: string;
  private readonly records: RecordedContainers;
  private readonly engines = new EnginePool();
  private readonly sampler = new StatsSampler();
  /** The team, so each agent's default memory limit is its share of its engine's memory. */
  private readonly team: Array<{ runtime: string; engine?: EngineChoice }>;

  constructor(opts: {
    workspace: string;
    ralphInstallDir: string;
    agents?: Array<{ runtime: string; engine?: EngineChoice }>;
  }) {
    this.workspace = path.resolve(opts.workspace);
    this.ralphInstallDir = path.resolve(opts.ralphInstallDir);
    this.records = new RecordedContainers(workspacePaths(this.workspace).containers);
    this.team = opts.agents ?? [];
  }

  /** Finds the agent's container (reattach) or creates it, and makes sure it is running. */
  async ensure(agent: ContainerAgent): Promise<ContainerState> {
    if (agent.runtime !== 'docker')
      throw new UserError(`agent ${agent.id} has runtime "${agent.runtime}", so it has no container`);
    const handle = await this.engines.get(agent.engine);
    const byName = await this.inspectRaw(handle, agent.containerName);
    if (byName) assertOurs(byName, agent, this.workspace);
    const existing = byName ?? (await this.findByLabel(handle, agent));
    // Renamed in the config: the container keeps the volumes (the login) named after its first name.
    const login = existing?.Mounts?.find(
      (mount) => mount.Type === 'volume' && mount.Destination === CONTAINER_CLAUDE_CONFIG_DIR,
    )?.Name;
    const spec = await checkedContainerSpec(handle, agent, this.workspace, this.ralphInstallDir, {
      user: existing?.Config.User || undefined,
      volumeBase: login?.endsWith('-claude') ? login.slice(0, -'-claude'.length) : undefined,
      agentsOnEngine: this.team.filter(
        (member) => member.runtime === 'docker' && describeEngine(resolveEngine(member.engine)) === handle.where,
      ).length,
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
    const warnings = await this.ensureEgress(handle, spec, agent);
    let container: Docker.Container;
    if (existing) {
      container = handle.docker.getContainer(existing.Id);
      // Reattached by label after containerName changed in the config: keep the agent, take the new name.
      if (!byName)
        await container.rename({ name: agent.containerName }).catch((error: unknown) => {
          throw agentDockerError(
            error,
            agent,
            `renaming ${existing.Name.replace(/^\//, '')} to ${agent.containerName}`,
          );
        });
      await this.updateResources(handle, container, existing, spec, agent);
      if (!existing.State.Running) await this.start(handle, container, agent);
      this.records.remember(agent, existing.Id, handle.where);
    } else {
      container = await this.create(handle, spec, agent);
      this.records.remember(agent, container.id, handle.where);
      await this.start(handle, container, agent);
    }
    if (spec.egress.mode === 'filtered' && warnings.length === 0) {
      const forwarder = await checkEgressForwarder(container, agent.id);
      if (forwarder) warnings.push(forwarder);
    }
    const state = containerState(await container.inspect(), handle.where);
    return warnings.length ? { ...state, warnings } : state;
  }

  /** The agent's egress proxy (filtered egress) and what the agent's tab must say about its network. */
  private async ensureEgress(handle: EngineHandle, spec: ContainerSpec, agent: ContainerAgent): Promise<string[]> {
    if (spec.egress.mode === 'open') return [spec.egress.warning];
    if (spec.egress.mode === 'none') return [];
    const volume = spec.volumes.find((entry) => entry.target === EGRESS_SOCKET_DIR)?.name;
    const proxy = await ensureEgressProxy({
      docker: handle.docker,
      where: handle.where,
      workspace: this.workspace,
      ralphInstallDir: this.ralphInstallDir,
      user: spec.user,
      agent,
      plan: spec.egress,
      volume,
    });
    return proxy.warning ? [proxy.warning] : [];
  }

  /**
   * Calls `onDenied` for every destination the agent's egress proxy refuses, until the returned function is
   * called. Agents without a proxy (network set in the config) get a no-op.
   */
  async followEgress(agent: ContainerAgent, onDenied: (line: EgressLogLine) => void): Promise<() => void> {
    if (agent.network !== undefined) return () => undefined;
    const handle = await this.engines.get(agent.engine);
    return followEgressDenials(handle.docker, agent, onDenied);
  }

  /** The agent's container now: running, exited (with code, OOM-killed), created, or gone. */
  async inspect(agent: ContainerAgent): Promise<ContainerState> {
    const handle = await this.engines.get(agent.engine);
    const info = await this.find(handle, agent);
    if (!info)
      return {
        name: agent.containerName,
        id: this.records.get(agent, handle.where)?.id,
        agent: agent.id,
        engine: handle.where,
        status: 'gone',
      };
    const state = containerState(info, handle.where);
    if (!state.oomKilled && (await oomEventsSinceStart(handle, info)) > 0) state.oomKilled = true;
    return state;
  }

  /** Live CPU % and memory, as `docker stats` shows them (see StatsSampler); null unless running. */
  async stats(agent: ContainerAgent): Promise<ContainerStats | null> {
    const handle = await this.engines.get(agent.engine);
    const info = await this.find(handle, agent);
    if (!info?.State.Running) return null;
    try {
      return await this.sampler.sample(handle, info.Id);
    } catch (error) {
      if (statusCode(error) === 404 || statusCode(error) === 409) return null;
      throw agentDockerError(error, agent, `reading stats of ${agent.containerName}`);
    }
  }

  /** Graceful stop: SIGTERM, then the engine kills after `timeoutSeconds`; a container still up is killed. */
  async stop(agent: ContainerAgent, timeoutSeconds = 10): Promise<void> {
    const handle = await this.engines.get(agent.engine);
    const info = await this.find(handle, agent);
    if (!info?.State.Running) return;
    const container = handle.docker.getContainer(info.Id);
    try {
      await container.stop({ t: timeoutSeconds });
    } catch (error) {
      if (statusCode(error) !== 304 && statusCode(error) !== 404)
        throw agentDockerError(error, agent, `stopping ${agent.containerName}`);
    }
    const after = await this.inspectRaw(handle, info.Id);
    if (after?.State.Running) {
      await container.kill().catch((error: unknown) => {
        if (statusCode(error) !== 404 && statusCode(error) !== 409)
          throw agentDockerError(error, agent, `killing ${agent.containerName}`);
      });
    }
  }

  /**
   * Ends the agent's process in its container (see agent-process.ts) on the engine connection already open
   * for it; an engine that does not answer, or a stopped container, has nothing to end.
   */
  async killAgentProcess(agent: ContainerAgent, graceSeconds = 3): Promise<void> {
    const handle = await this.engines.get(agent.engine).catch(() => null);
    // Only in the agent's own container (labels checked): never in a stranger that took its name.
    const info = handle ? await this.find(handle, agent).catch(() => null) : null;
    if (handle && info?.State.Running) await killContainerAgent(handle.docker, info.Id, agent, graceSeconds);
  }

  /** Removes the container (forcefully; the credentials volume stays so the login survives). */
  async remove(agent: ContainerAgent): Promise<void> {
    const handle = await this.engines.get(agent.engine);
    const info = await this.find(handle, agent);
    if (info) await this.removeById(handle, info.Id, agent);
    const proxy = await this.inspectRaw(handle, egressName(agent));
    const proxyLabels = proxy?.Config.Labels ?? {};
    if (proxy && proxyLabels[LABEL_WORKSPACE] === this.workspace && proxyLabels[LABEL_EGRESS_FOR] === agent.id) {
      await this.removeById(handle, proxy.Id, agent);
      // The socket's volume holds nothing worth keeping (the login volume stays).
      await handle.docker
        .getVolume(egressName(agent))
        .remove()
        .catch(() => undefined);
    }
    this.records.forget(agent.id);
  }

  /**
   * This workspace's containers (by label) on the default engine, every engine used so far, and `engines`.
   * An engine that does not answer is skipped unless it is the only one asked about.
   */
  async list(engines: Array<EngineChoice | undefined> = []): Promise<ContainerState[]> {
    const handles = await this.engines.all(engines);
    const states: ContainerState[] = [];
    for (const handle of handles) {
      const found = await handle.docker.listContainers({
        all: true,
        filters: { label: [`${LABEL_WORKSPACE}=${this.workspace}`] },
      });
      for (const summary of found) {
        if (summary.Labels[LABEL_EGRESS_FOR]) continue;
        const info = await this.inspectRaw(handle, summary.Id);
        if (info) states.push(containerState(info, handle.where));
      }
    }
    return states;
  }

  /**
   * `ralph-tui down`: stop and remove every container of this workspace on the given engines; with
   * `volumes`, also the credential volumes (the agents' logins).
   */
  async down(
    engines: Array<EngineChoice | undefined> = [],
    timeoutSeconds = 10,
    volumes = false,
  ): Promise<ContainerState[]> {
    const handles = await this.engines.all(engines);
    const removed: ContainerState[] = [];
    for (const handle of handles) {
      const found = await handle.docker.listContainers({
        all: true,
        filters: { label: [`${LABEL_WORKSPACE}=${this.workspace}`] },
      });
      // In parallel: each agent gets its own stop timeout instead of waiting behind the others'.
      const done = await Promise.all(
        found.map(async (summary): Promise<ContainerState> => {
          const container = handle.docker.getContainer(summary.Id);
          const name = (summary.Names[0] ?? summary.Id).replace(/^\//, '');
          if (summary.State === 'running') await container.stop({ t: timeoutSeconds }).catch(() => undefined);
          await container.remove({ force: true }).catch((error: unknown) => {
            if (statusCode(error) !== 404)
              throw new UserError(`removing ${name} on ${handle.where}: ${engineMessage(error)}`);
          });
          return { name, id: summary.Id, agent: summary.Labels[LABEL_AGENT], engine: handle.where, status: 'gone' };
        }),
      );
      for (const state of done) if (state.agent) this.records.forget(state.agent);
      // The agents' egress proxies go too, but the list names the agents' containers.
      removed.push(...done.filter((state) => state.agent).sort((a, b) => a.name.localeCompare(b.name)));
      // The egress sockets' volumes hold nothing worth keeping; the logins go only when asked.
      await this.removeVolumes(handle, volumes ? [] : [LABEL_EGRESS_FOR]);
    }
    return removed;
  }

  /** The `docker exec -it` command for a pty that runs `command` in the agent's container (see exec-command.ts). */
  execCommand(agent: ContainerAgent, command: string): { file: string; args: string[]; env: Record<string, string> } {
    return execCommand(agent, command);
  }

  /** This workspace's volumes (those carrying every label in `alsoLabelled`). */
  private async removeVolumes(handle: EngineHandle, alsoLabelled: string[]): Promise<void> {
    const { Volumes } = await handle.docker.listVolumes({
      filters: { label: [`${LABEL_WORKSPACE}=${this.workspace}`, ...alsoLabelled] },
    });
    for (const volume of Volumes ?? []) {
      await handle.docker
        .getVolume(volume.Name)
        .remove()
        .catch((error: unknown) => {
          if (statusCode(error) !== 404)
            throw new UserError(`removing volume ${volume.Name} on ${handle.where}: ${engineMessage(error)}`);
        });
    }
  }

  private async inspectRaw(handle: EngineHandle, ref: string): Promise<Docker.ContainerInspectInfo | null> {
    try {
      return await handle.docker.getContainer(ref).inspect();
    } catch (error) {
      if (statusCode(error) === 404) return null;
      throw new UserError(`inspecting ${ref} on ${handle.where}: ${engineMessage(error)}`);
    }
  }

  /** The recorded container if it still exists, else one of ours under the agent's name. */
  private async find(handle: EngineHandle, agent: ContainerAgent): Promise<Docker.ContainerInspectInfo | null> {
    const record = this.records.get(agent, handle.where);
    if (record) {
      const byId = await this.inspectRaw(handle, record.id);
      if (byId) {
        // The records file is data: a record naming someone else's container must not get it stopped or removed.
        const labels = byId.Config.Labels ?? {};
        if (labels[LABEL_WORKSPACE] !== this.workspace || labels[LABEL_AGENT] !== agent.id) {
          throw new UserError(
            `${workspacePaths(this.workspace).containers} names container ${byId.Name.replace(/^\//, '')} for agent ${agent.id}, but it is not this workspace's ${agent.id} container — refusing to touch it (delete that entry)`,
          );
        }
        return byId;
      }
    }
    const byName = await this.inspectRaw(handle, agent.containerName);
    if (
      byName &&
      byName.Config.Labels?.[LABEL_WORKSPACE] === this.workspace &&
      byName.Config.Labels?.[LABEL_AGENT] === agent.id
    )
      return byName;
    return this.findByLabel(handle, agent);
  }

  /** This workspace's container for the agent, whatever its name. */
  private async findByLabel(handle: EngineHandle, agent: ContainerAgent): Promise<Docker.ContainerInspectInfo | null> {
    const found = await handle.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_WORKSPACE}=${this.workspace}`, `${LABEL_AGENT}=${agent.id}`] },
    });
    return found[0] ? this.inspectRaw(handle, found[0].Id) : null;
  }

  private async create(handle: EngineHandle, spec: ContainerSpec, agent: ContainerAgent): Promise<Docker.Container> {
    try {
      return await handle.docker.createContainer(createOptions(spec));
    } catch (error) {
      throw agentDockerError(error, agent, `creating ${spec.name}`);
    }
  }

  private async start(handle: EngineHandle, container: Docker.Container, agent: ContainerAgent): Promise<void> {
    try {
      await container.start();
    } catch (error) {
      if (statusCode(error) === 304) return;
      const message = engineMessage(error);
      if (agent.gpus !== undefined && /device driver|nvidia|gpu/i.test(message)) {
        // A container that can never start is removed, so the next attempt recreates it cleanly.
        await container.remove({ force: true }).catch(() => undefined);
        this.records.forget(agent.id);
        throw new UserError(
          `agent ${agent.id} asks for GPUs, but the Docker engine at ${handle.where} has no GPU runtime (install the NVIDIA Container Toolkit there, or remove "gpus")`,
        );
      }
      throw agentDockerError(error, agent, `starting ${agent.containerName}`);
    }
  }

  /** Reattached containers follow config edits of cpuset/cpus/memory/pids (what `docker update` can change). */
  private async updateResources(
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

  private async removeById(handle: EngineHandle, id: string, agent: ContainerAgent): Promise<void> {
    try {
      await handle.docker.getContainer(id).remove({ force: true });
    } catch (error) {
      if (statusCode(error) !== 404) throw agentDockerError(error, agent, `removing ${agent.containerName}`);
    }
  }
}
