import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { ContainerAgent, EngineChoice } from './container-agent.js';
import { UserError } from '../core/errors.js';
import { workspacePaths } from '../core/workspace-paths.js';
import { killContainerAgent } from './agent-process.js';
import { readContainerRecords, writeContainerRecords, type ContainerRecord } from './container-records.js';
import {
  agentContainerSpec,
  assertNoDockerSocket,
  CONTAINER_WORKSPACE,
  DEFAULT_PATH,
  LABEL_AGENT,
  LABEL_WORKSPACE,
  type ContainerSpec,
} from './container-spec.js';
import { formatCpuList, parseCpuList } from './cpu-planner.js';
import { connectEngine, DEFAULT_SOCKET, describeEngine, engineEnv, resolveEngine, type EngineTarget } from './engine.js';
import { redactSecrets } from './redact.js';
import { assertAgentCanWrite, workspaceUser } from './workspace-access.js';
import { computeStats, type ContainerStats, type RawStats } from './stats.js';

export interface ContainerState {
  name: string;
  id?: string;
  /** The agent id from the container's label. */
  agent?: string;
  /** The engine it runs on, as describeEngine() writes it. */
  engine?: string;
  status: 'running' | 'exited' | 'created' | 'gone';
  exitCode?: number;
  /** The container, or a process in it (the agent, run by docker exec), was killed for memory since it started. */
  oomKilled?: boolean;
  cpuset?: string;
  startedAt?: string;
  finishedAt?: string;
}

interface EngineHandle {
  docker: Docker;
  target: EngineTarget;
  where: string;
  engine?: EngineChoice;
}

/** Detach keys nobody types: the default ctrl-p ctrl-q would swallow ctrl-p meant for the agent. */
const DETACH_KEYS = 'ctrl-@,ctrl-@';

function statusCode(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

function engineMessage(error: unknown): string {
  const json = (error as { json?: { message?: string } }).json;
  return (json?.message ?? (error as Error).message ?? String(error)).trim();
}

function realpathOr(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/**
 * The agents' containers on one or more Docker engines. Containers outlive this object (and the
 * supervisor): a new instance finds them by name and labels and reattaches; `.ralph/containers.json`
 * remembers what was created so a container removed out of band reads as gone, never as running.
 */
export class AgentContainers {
  private readonly workspace: string;
  private readonly ralphInstallDir: string;
  private readonly recordsFile: string;
  private readonly engines = new Map<string, Promise<EngineHandle>>();
  /** The last CPU reading per container id, the baseline of the next stats() call. */
  private readonly cpuSamples = new Map<string, NonNullable<RawStats['precpu_stats']>>();

  constructor(opts: { workspace: string; ralphInstallDir: string }) {
    this.workspace = path.resolve(opts.workspace);
    this.ralphInstallDir = path.resolve(opts.ralphInstallDir);
    this.recordsFile = workspacePaths(this.workspace).containers;
  }

  /** Finds the agent's container (reattach) or creates it, and makes sure it is running. */
  async ensure(agent: ContainerAgent): Promise<ContainerState> {
    if (agent.runtime !== 'docker') throw new UserError(`agent ${agent.id} has runtime "${agent.runtime}", so it has no container`);
    const handle = await this.engine(agent.engine);
    const byName = await this.inspectRaw(handle, agent.containerName);
    if (byName) this.assertOurs(byName, agent);
    const existing = byName ?? (await this.findByLabel(handle, agent));
    if (existing) {
      const container = handle.docker.getContainer(existing.Id);
      // Reattached by label after containerName changed in the config: keep the agent, take the new name.
      if (!byName) await container.rename({ name: agent.containerName }).catch((error: unknown) => {
        throw this.dockerError(error, agent, `renaming ${existing.Name.replace(/^\//, '')} to ${agent.containerName}`);
      });
      if (existing.Config.User) assertAgentCanWrite(this.workspace, existing.Config.User);
      await this.updateResources(handle, container, existing, agent);
      if (!existing.State.Running) await this.start(handle, container, agent);
      this.record(agent, existing.Id, handle);
      return this.toState(await container.inspect(), handle);
    }
    const spec = await this.spec(handle, agent);
    const container = await this.create(handle, spec, agent);
    this.record(agent, container.id, handle);
    await this.start(handle, container, agent);
    return this.toState(await container.inspect(), handle);
  }

  /** The agent's container now: running, exited (with code, OOM-killed), created, or gone. */
  async inspect(agent: ContainerAgent): Promise<ContainerState> {
    const handle = await this.engine(agent.engine);
    const info = await this.find(handle, agent);
    if (!info) return { name: agent.containerName, id: this.recordFor(agent, handle)?.id, agent: agent.id, engine: handle.where, status: 'gone' };
    const state = this.toState(info, handle);
    if (!state.oomKilled && (await this.oomEventsSinceStart(handle, info)) > 0) state.oomKilled = true;
    return state;
  }

  /**
   * The agent runs through `docker exec`, so when the kernel kills it for memory the container keeps
   * running and State.OOMKilled stays false; the engine still emits an "oom" event for the container.
   */
  private async oomEventsSinceStart(handle: EngineHandle, info: Docker.ContainerInspectInfo): Promise<number> {
    const started = Date.parse(info.State.StartedAt);
    if (!Number.isFinite(started) || started <= 0) return 0;
    const stream = await handle.docker.getEvents({
      since: Math.floor(started / 1000),
      // Fractional seconds, so an event in the current second counts and the stream ends now.
      until: Math.round(Date.now()) / 1000,
      filters: { container: [info.Id], event: ['oom'] },
    });
    let text = '';
    for await (const chunk of stream as AsyncIterable<Buffer | string>) text += chunk.toString();
    return text.split('\n').filter((line) => line.includes('"oom"')).length;
  }

  /**
   * Live CPU % and memory, as `docker stats` shows them; null unless running. The CPU % covers the time
   * since this container's previous call: a one-shot reading returns at once, whereas the engine's own
   * two readings take about a second per container (measured 1.3 s), which a poll over eight agents
   * would feel. The first call for a container takes the engine's two readings.
   */
  async stats(agent: ContainerAgent): Promise<ContainerStats | null> {
    const handle = await this.engine(agent.engine);
    const info = await this.find(handle, agent);
    if (!info?.State.Running) return null;
    const previous = this.cpuSamples.get(info.Id);
    try {
      const container = handle.docker.getContainer(info.Id);
      const raw = (await container.stats(previous ? { stream: false, 'one-shot': true } : { stream: false })) as RawStats;
      // An engine that ignores one-shot fills precpu_stats itself; otherwise use our previous reading.
      if (previous && !raw.precpu_stats?.system_cpu_usage) raw.precpu_stats = previous;
      const cpu = raw.cpu_stats;
      if (cpu?.system_cpu_usage) this.cpuSamples.set(info.Id, { cpu_usage: { total_usage: cpu.cpu_usage?.total_usage }, system_cpu_usage: cpu.system_cpu_usage });
      return computeStats(raw);
    } catch (error) {
      if (statusCode(error) === 404 || statusCode(error) === 409) return null;
      throw this.dockerError(error, agent, `reading stats of ${agent.containerName}`);
    }
  }

  /** Graceful stop: SIGTERM, then the engine kills after `timeoutSeconds`; a container still up is killed. */
  async stop(agent: ContainerAgent, timeoutSeconds = 10): Promise<void> {
    const handle = await this.engine(agent.engine);
    const info = await this.find(handle, agent);
    if (!info?.State.Running) return;
    const container = handle.docker.getContainer(info.Id);
    try {
      await container.stop({ t: timeoutSeconds });
    } catch (error) {
      if (statusCode(error) !== 304 && statusCode(error) !== 404) throw this.dockerError(error, agent, `stopping ${agent.containerName}`);
    }
    const after = await this.inspectRaw(handle, info.Id);
    if (after?.State.Running) {
      await container.kill().catch((error: unknown) => {
        if (statusCode(error) !== 404 && statusCode(error) !== 409) throw this.dockerError(error, agent, `killing ${agent.containerName}`);
      });
    }
  }

  /**
   * Ends the agent's process in its container (see agent-process.ts) on the engine connection already open
   * for it; an engine that does not answer, or a stopped container, has nothing to end.
   */
  async killAgentProcess(agent: ContainerAgent, graceSeconds = 3): Promise<void> {
    const handle = await this.engine(agent.engine).catch(() => null);
    if (handle) await killContainerAgent(handle.docker, agent, graceSeconds);
  }

  /** Removes the container (forcefully; the credentials volume stays so the login survives). */
  async remove(agent: ContainerAgent): Promise<void> {
    const handle = await this.engine(agent.engine);
    const info = await this.find(handle, agent);
    if (info) await this.removeById(handle, info.Id, agent);
    this.forget(agent.id);
  }

  /**
   * This workspace's containers (by label) on the default engine, every engine used so far, and `engines`.
   * An engine that does not answer is skipped unless it is the only one asked about.
   */
  async list(engines: Array<EngineChoice | undefined> = []): Promise<ContainerState[]> {
    const handles = await this.handles(engines);
    const states: ContainerState[] = [];
    for (const handle of handles) {
      const found = await handle.docker.listContainers({ all: true, filters: { label: [`${LABEL_WORKSPACE}=${this.workspace}`] } });
      for (const summary of found) {
        const info = await this.inspectRaw(handle, summary.Id);
        if (info) states.push(this.toState(info, handle));
      }
    }
    return states;
  }

  /**
   * `ralph-tui down`: stop and remove every container of this workspace on the given engines; with
   * `volumes`, also the credential volumes (the agents' logins).
   */
  async down(engines: Array<EngineChoice | undefined> = [], timeoutSeconds = 10, volumes = false): Promise<ContainerState[]> {
    const handles = await this.handles(engines);
    const removed: ContainerState[] = [];
    for (const handle of handles) {
      const found = await handle.docker.listContainers({ all: true, filters: { label: [`${LABEL_WORKSPACE}=${this.workspace}`] } });
      // In parallel: each agent gets its own stop timeout instead of waiting behind the others'.
      const done = await Promise.all(
        found.map(async (summary): Promise<ContainerState> => {
          const container = handle.docker.getContainer(summary.Id);
          const name = (summary.Names[0] ?? summary.Id).replace(/^\//, '');
          if (summary.State === 'running') await container.stop({ t: timeoutSeconds }).catch(() => undefined);
          await container.remove({ force: true }).catch((error: unknown) => {
            if (statusCode(error) !== 404) throw new UserError(`removing ${name} on ${handle.where}: ${engineMessage(error)}`);
          });
          return { name, id: summary.Id, agent: summary.Labels[LABEL_AGENT], engine: handle.where, status: 'gone' };
        }),
      );
      for (const state of done) if (state.agent) this.forget(state.agent);
      removed.push(...done.sort((a, b) => a.name.localeCompare(b.name)));
      if (volumes) await this.removeVolumes(handle);
    }
    return removed;
  }

  /**
   * The command for a pty that runs `command` in the agent's container (`docker exec -it`). Pass-through
   * variables go as `-e NAME` (the docker CLI reads the value from its own environment), so API keys
   * never appear in argv, in the container's config or in `docker inspect`.
   */
  execCommand(agent: ContainerAgent, command: string): { file: string; args: string[]; env: Record<string, string> } {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
    Object.assign(env, engineEnv(agent.engine));
    const passed = agent.passEnv.filter((name) => process.env[name] !== undefined);
    const args = [
      'exec',
      '-it',
      '--detach-keys',
      DETACH_KEYS,
      '-e',
      'TERM=xterm-256color',
      ...passed.flatMap((name) => ['-e', name]),
      '-w',
      CONTAINER_WORKSPACE,
      agent.containerName,
      'sh',
      '-c',
      command,
    ];
    return { file: 'docker', args, env };
  }

  private async removeVolumes(handle: EngineHandle): Promise<void> {
    const { Volumes } = await handle.docker.listVolumes({ filters: { label: [`${LABEL_WORKSPACE}=${this.workspace}`] } });
    for (const volume of Volumes ?? []) {
      await handle.docker.getVolume(volume.Name).remove().catch((error: unknown) => {
        if (statusCode(error) !== 404) throw new UserError(`removing volume ${volume.Name} on ${handle.where}: ${engineMessage(error)}`);
      });
    }
  }

  private async handles(engines: Array<EngineChoice | undefined>): Promise<EngineHandle[]> {
    const wanted = new Map<string, EngineChoice | undefined>();
    for (const engine of [undefined, ...engines]) wanted.set(describeEngine(resolveEngine(engine)), engine);
    const handles: EngineHandle[] = [];
    const errors: unknown[] = [];
    for (const [key, engine] of wanted) {
      const existing = this.engines.get(key);
      try {
        handles.push(await (existing ?? this.engine(engine)));
      } catch (error) {
        errors.push(error);
      }
    }
    for (const promise of this.engines.values()) {
      const handle = await promise.catch(() => undefined);
      if (handle && !handles.includes(handle)) handles.push(handle);
    }
    if (handles.length === 0 && errors.length) throw errors[0];
    return handles;
  }

  private engine(engine?: EngineChoice): Promise<EngineHandle> {
    const target = resolveEngine(engine);
    const where = describeEngine(target);
    let promise = this.engines.get(where);
    if (!promise) {
      promise = connectEngine(engine).then((docker) => ({ docker, target, where, engine }));
      // A failed connection is not cached: the next call tries again (the engine may have started since).
      promise.catch(() => this.engines.delete(where));
      this.engines.set(where, promise);
    }
    return promise;
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
    const record = this.recordFor(agent, handle);
    if (record) {
      const byId = await this.inspectRaw(handle, record.id);
      if (byId) return byId;
    }
    const byName = await this.inspectRaw(handle, agent.containerName);
    if (byName && byName.Config.Labels?.[LABEL_WORKSPACE] === this.workspace) return byName;
    return this.findByLabel(handle, agent);
  }

  /** This workspace's container for the agent, whatever its name. */
  private async findByLabel(handle: EngineHandle, agent: ContainerAgent): Promise<Docker.ContainerInspectInfo | null> {
    const found = await handle.docker.listContainers({ all: true, filters: { label: [`${LABEL_WORKSPACE}=${this.workspace}`, `${LABEL_AGENT}=${agent.id}`] } });
    return found[0] ? this.inspectRaw(handle, found[0].Id) : null;
  }

  private assertOurs(info: Docker.ContainerInspectInfo, agent: ContainerAgent): void {
    const labels = info.Config.Labels ?? {};
    if (labels[LABEL_WORKSPACE] === this.workspace && labels[LABEL_AGENT] === agent.id) return;
    const owner = labels[LABEL_WORKSPACE] ? `agent ${labels[LABEL_AGENT] ?? '?'} of workspace ${labels[LABEL_WORKSPACE]}` : 'not a ralph-tui container';
    throw new UserError(
      `a container named ${agent.containerName} already exists (${owner}) — remove it, or set containerName for agent ${agent.id} in ralph.config.json`,
    );
  }

  private async spec(handle: EngineHandle, agent: ContainerAgent): Promise<ContainerSpec> {
    let image: Docker.ImageInspectInfo;
    try {
      image = await handle.docker.getImage(agent.image).inspect();
    } catch (error) {
      if (statusCode(error) === 404) {
        throw new UserError(`image ${agent.image} (agent ${agent.id}) is not on the Docker engine at ${handle.where} — build it with \`ralph-tui image build\``);
      }
      throw this.dockerError(error, agent, `inspecting image ${agent.image}`);
    }
    const imagePath = (image.Config?.Env ?? []).find((entry) => entry.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH;
    const user = workspaceUser(this.workspace);
    assertAgentCanWrite(this.workspace, user);
    const spec = agentContainerSpec(agent, { workspace: this.workspace, ralphInstallDir: this.ralphInstallDir, user, imagePath });
    const sockets = [DEFAULT_SOCKET, '/run/docker.sock', ...(handle.target.kind === 'unix' ? [handle.target.socketPath] : [])];
    assertNoDockerSocket(spec, sockets);
    assertNoDockerSocket({ ...spec, binds: spec.binds.map((bind) => ({ ...bind, source: realpathOr(bind.source) })) }, sockets.map(realpathOr));
    await this.checkCpuset(handle, agent);
    return spec;
  }

  /** Docker's own message for a missing CPU ("Requested CPUs are not available") names no agent. */
  private async checkCpuset(handle: EngineHandle, agent: ContainerAgent): Promise<void> {
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

  /** Engines started with --bridge=none have no default network; agents then get none unless configured. */
  private async networkMode(handle: EngineHandle, spec: ContainerSpec): Promise<string | undefined> {
    if (spec.network) return spec.network;
    const networks = await handle.docker.listNetworks({ filters: { name: ['bridge'] } });
    return networks.some((network) => network.Name === 'bridge') ? undefined : 'none';
  }

  private async create(handle: EngineHandle, spec: ContainerSpec, agent: ContainerAgent): Promise<Docker.Container> {
    const options: Docker.ContainerCreateOptions = {
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
        NetworkMode: await this.networkMode(handle, spec),
        RestartPolicy: { Name: 'no' },
        DeviceRequests: spec.gpus === undefined ? undefined : [{ Driver: 'nvidia', Count: spec.gpus === 'all' ? -1 : spec.gpus, Capabilities: [['gpu']] }],
      },
    };
    try {
      return await handle.docker.createContainer(options);
    } catch (error) {
      throw this.dockerError(error, agent, `creating ${spec.name}`);
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
        this.forget(agent.id);
        throw new UserError(
          `agent ${agent.id} asks for GPUs, but the Docker engine at ${handle.where} has no GPU runtime (install the NVIDIA Container Toolkit there, or remove "gpus")`,
        );
      }
      throw this.dockerError(error, agent, `starting ${agent.containerName}`);
    }
  }

  /** Reattached containers follow config edits of cpuset/cpus/memory/pids (what `docker update` can change). */
  private async updateResources(handle: EngineHandle, container: Docker.Container, info: Docker.ContainerInspectInfo, agent: ContainerAgent): Promise<void> {
    const spec = agentContainerSpec(agent, { workspace: this.workspace, ralphInstallDir: this.ralphInstallDir, user: info.Config.User });
    const host = info.HostConfig;
    const update: Record<string, unknown> = {};
    if ((spec.cpuset ?? '') !== (host.CpusetCpus ?? '')) update.CpusetCpus = spec.cpuset ?? '';
    if ((spec.nanoCpus ?? 0) !== (host.NanoCpus ?? 0)) update.NanoCpus = spec.nanoCpus ?? 0;
    if (spec.memoryBytes !== undefined && spec.memoryBytes !== host.Memory) Object.assign(update, { Memory: spec.memoryBytes, MemorySwap: spec.memoryBytes });
    if (spec.pidsLimit !== (host.PidsLimit ?? 0)) update.PidsLimit = spec.pidsLimit;
    if (Object.keys(update).length === 0) return;
    if (update.CpusetCpus) await this.checkCpuset(handle, agent);
    try {
      await container.update(update);
    } catch (error) {
      throw this.dockerError(error, agent, `updating the limits of ${agent.containerName}`);
    }
  }

  private async removeById(handle: EngineHandle, id: string, agent: ContainerAgent): Promise<void> {
    try {
      await handle.docker.getContainer(id).remove({ force: true });
    } catch (error) {
      if (statusCode(error) !== 404) throw this.dockerError(error, agent, `removing ${agent.containerName}`);
    }
  }

  private toState(info: Docker.ContainerInspectInfo, handle: EngineHandle): ContainerState {
    const state = info.State;
    const status: ContainerState['status'] =
      state.Running || state.Paused || state.Restarting ? 'running' : state.Status === 'created' ? 'created' : 'exited';
    return {
      name: info.Name.replace(/^\//, ''),
      id: info.Id,
      agent: info.Config.Labels?.[LABEL_AGENT],
      engine: handle.where,
      status,
      exitCode: status === 'exited' ? state.ExitCode : undefined,
      oomKilled: state.OOMKilled || undefined,
      cpuset: info.HostConfig.CpusetCpus || undefined,
      startedAt: state.StartedAt,
      finishedAt: status === 'exited' ? state.FinishedAt : undefined,
    };
  }

  /** Engine errors can echo the create body; literal env values from the config are redacted. */
  private dockerError(error: unknown, agent: ContainerAgent, action: string): UserError {
    const secrets = [...Object.values(agent.env), ...agent.passEnv.map((name) => process.env[name])];
    return new UserError(redactSecrets(`agent ${agent.id}: ${action} failed: ${engineMessage(error)}`, secrets));
  }

  private recordFor(agent: ContainerAgent, handle: EngineHandle): ContainerRecord | undefined {
    const record = readContainerRecords(this.recordsFile).containers[agent.id];
    return record && record.name === agent.containerName && record.engine === handle.where ? record : undefined;
  }

  private record(agent: ContainerAgent, id: string, handle: EngineHandle): void {
    const records = readContainerRecords(this.recordsFile);
    const previous = records.containers[agent.id];
    if (previous?.id === id && previous.engine === handle.where) return;
    records.containers[agent.id] = { name: agent.containerName, id, engine: handle.where, createdAt: new Date().toISOString() };
    writeContainerRecords(this.recordsFile, records);
  }

  private forget(agentId: string): void {
    const records = readContainerRecords(this.recordsFile);
    if (!records.containers[agentId]) return;
    delete records.containers[agentId];
    writeContainerRecords(this.recordsFile, records);
  }
}
