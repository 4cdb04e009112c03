// The agents' containers over their whole life: one object for ensure (create or reattach), inspect, stop, remove, down.
import path from 'node:path';
import type Docker from 'dockerode';
import { UserError } from '../core/errors.js';
import { workspacePaths } from '../core/workspace-paths.js';
import { prepareAgentProcess, type AgentLaunch } from './agent-holder.js';
import { killContainerAgent } from './agent-process.js';
import type { ContainerAgent, EngineChoice } from './container-agent.js';
import { ensureContainer } from './container-ensure.js';
import { findAgentContainer, inspectRaw, removeById } from './container-lookup.js';
import { RecordedContainers } from './container-records.js';
import { egressName, LABEL_WORKSPACE } from './container-spec.js';
import { containerState, type ContainerState } from './container-state.js';
import type { EgressLogLine } from './egress-proxy.js';
import { followEgressDenials, LABEL_EGRESS_FOR } from './egress-sidecar.js';
import { describeEngine, resolveEngine } from './engine.js';
import { EnginePool, type EngineHandle } from './engine-pool.js';
import { agentDockerError, statusCode } from './engine-errors.js';
import { execCommand } from './exec-command.js';
import type { ContainerStats } from './stats.js';
import { oomEventsSinceStart, StatsSampler } from './stats-sampler.js';
import { downWorkspace, listWorkspaceContainers } from './workspace-containers.js';

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

  /** Finds the agent's container (reattach) or creates it, and makes sure it is running (see container-ensure.ts). */
  async ensure(agent: ContainerAgent): Promise<ContainerState> {
    if (agent.runtime !== 'docker')
      throw new UserError(`agent ${agent.id} has runtime "${agent.runtime}", so it has no container`);
    const handle = await this.engines.get(agent.engine);
    return ensureContainer(handle, agent, {
      workspace: this.workspace,
      ralphInstallDir: this.ralphInstallDir,
      records: this.records,
      agentsOnEngine: this.team.filter(
        (member) => member.runtime === 'docker' && describeEngine(resolveEngine(member.engine)) === handle.where,
      ).length,
    });
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
    const after = await inspectRaw(handle, info.Id);
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

  /**
   * Before an exec: whether a pty holder in the running container still runs the agent (then it is left alone, to be
   * re-attached), else ends what is left of it and says whether the image can hold a new one (see agent-holder.ts).
   */
  async prepareAgentProcess(agent: ContainerAgent, graceSeconds = 3): Promise<AgentLaunch> {
    const handle = await this.engines.get(agent.engine).catch(() => null);
    const info = handle ? await this.find(handle, agent).catch(() => null) : null;
    if (!handle || !info?.State.Running) return 'plain';
    return prepareAgentProcess(handle.docker, info.Id, agent, graceSeconds);
  }

  /** Removes the container (forcefully; the credentials volume stays so the login survives). */
  async remove(agent: ContainerAgent): Promise<void> {
    const handle = await this.engines.get(agent.engine);
    const info = await this.find(handle, agent);
    if (info) await removeById(handle, info.Id, agent);
    const proxy = await inspectRaw(handle, egressName(agent));
    const proxyLabels = proxy?.Config.Labels ?? {};
    if (proxy && proxyLabels[LABEL_WORKSPACE] === this.workspace && proxyLabels[LABEL_EGRESS_FOR] === agent.id) {
      await removeById(handle, proxy.Id, agent);
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
    return listWorkspaceContainers(await this.engines.all(engines), this.workspace);
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
    return downWorkspace(await this.engines.all(engines), this.workspace, this.records, timeoutSeconds, volumes);
  }

  /** The `docker exec -it` command for a pty that runs `command` in the agent's container (see exec-command.ts). */
  execCommand(agent: ContainerAgent, command: string): { file: string; args: string[]; env: Record<string, string> } {
    return execCommand(agent, command);
  }

  private find(handle: EngineHandle, agent: ContainerAgent): Promise<Docker.ContainerInspectInfo | null> {
    return findAgentContainer(handle, this.workspace, this.records, agent);
  }
}
