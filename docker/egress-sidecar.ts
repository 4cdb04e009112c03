// The per-agent egress proxy container: holds the agent's allow-list, reaches the outside, serves the agent on a socket.
import { PassThrough } from 'node:stream';
import readline from 'node:readline';
import type Docker from 'dockerode';
import { UserError } from '../core/errors.js';
import type { EgressLogLine } from './egress-proxy.js';
import { engineMessage, statusCode } from './engine-errors.js';
import {
  CONTAINER_INSTALL,
  EGRESS_MAIN,
  EGRESS_SOCKET,
  EGRESS_SOCKET_DIR,
  egressName,
  LABEL_WORKSPACE,
  type EgressPlan,
} from './container-spec.js';

/** The agent a proxy serves (not `ralph.agent`, so lookups of the agent's own container never find its proxy). */
export const LABEL_EGRESS_FOR = 'ralph.egress-for';

/** The proxy is small: node with one http server (measured RSS in docs/security.md). */
const PROXY_MEMORY_BYTES = 256 * 1024 ** 2;
const PROXY_PIDS_LIMIT = 64;
const READY_TIMEOUT_MS = 10_000;

export interface EgressProxyContext {
  docker: Docker;
  /** The engine as people write it, for messages. */
  where: string;
  workspace: string;
  ralphInstallDir: string;
  user: string;
  agent: { id: string; containerName: string; image: string };
  plan: Extract<EgressPlan, { mode: 'filtered' }>;
  /** The socket's volume (default: named like the proxy; an agent renamed in the config keeps its first one). */
  volume?: string;
}

/** The text of a container's log (stdout and stderr), from the engine's multiplexed frames when it has no TTY. */
export function demuxLog(raw: Buffer | string): string {
  const buffer = typeof raw === 'string' ? Buffer.from(raw, 'binary') : raw;
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length && buffer[offset]! <= 2 && buffer.readUIntBE(offset + 1, 3) === 0) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return offset === 0 ? buffer.toString('utf8') : Buffer.concat(parts).toString('utf8');
}

/** Waits until the container's log holds a line containing `marker`; the last log line otherwise. */
export async function waitForLogLine(
  container: Docker.Container,
  marker: string,
  timeoutMs = READY_TIMEOUT_MS,
): Promise<{ found: boolean; last?: string }> {
  const deadline = Date.now() + timeoutMs;
  let lines: string[] = [];
  for (;;) {
    const raw = (await container
      .logs({ stdout: true, stderr: true, tail: 50, follow: false })
      .catch(() => Buffer.alloc(0))) as unknown as Buffer;
    lines = demuxLog(raw)
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    if (lines.some((line) => line.includes(marker))) return { found: true };
    const info = await container.inspect().catch(() => null);
    // Restarting (the restart policy) means it already failed once.
    if (!info?.State.Running || info.State.Restarting || Date.now() > deadline)
      return { found: false, last: lines.at(-1) };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Engines started with --bridge=none have no default bridge; the proxy then uses the host's network. */
export async function engineHasBridge(docker: Docker): Promise<boolean> {
  const networks = await docker.listNetworks({ filters: { name: ['bridge'] } });
  return networks.some((network) => network.Name === 'bridge');
}

/**
 * Makes sure the agent's proxy runs with the current allow-list: a proxy whose allow-list, image or network
 * differs is replaced (the agent keeps its container: the socket lives in a volume both mount). Returns a warning
 * when the proxy did not come up — the agent then has no network at all, never an open one.
 */
export async function ensureEgressProxy(ctx: EgressProxyContext): Promise<{ warning?: string }> {
  const { docker, agent, plan } = ctx;
  const name = egressName(agent);
  const allowEnv = `RALPH_EGRESS_ALLOW=${JSON.stringify(plan.allow)}`;
  const network = plan.proxyNetwork ?? ((await engineHasBridge(docker)) ? 'bridge' : 'host');
  const labels = { [LABEL_WORKSPACE]: ctx.workspace, [LABEL_EGRESS_FOR]: agent.id };
  const volume = ctx.volume ?? name;
  const existing = await docker
    .getContainer(name)
    .inspect()
    .catch((error: unknown) => {
      if (statusCode(error) === 404) return null;
      throw new UserError(`inspecting ${name} on ${ctx.where}: ${engineMessage(error)}`);
    });
  if (existing) {
    const theirs = existing.Config.Labels ?? {};
    if (theirs[LABEL_WORKSPACE] !== ctx.workspace || theirs[LABEL_EGRESS_FOR] !== agent.id) {
      throw new UserError(
        `a container named ${name} already exists and is not agent ${agent.id}'s egress proxy for ${ctx.workspace} — remove it, or set containerName for agent ${agent.id}`,
      );
    }
    const same =
      existing.State.Running &&
      !existing.State.Restarting &&
      existing.Config.Image === agent.image &&
      (existing.Config.Env ?? []).includes(allowEnv) &&
      existing.HostConfig.NetworkMode === network &&
      (existing.Mounts ?? []).some((mount) => mount.Name === volume);
    if (same) return {};
    await docker
      .getContainer(existing.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
  const [uid, gid] = ctx.user.split(':');
  let container: Docker.Container;
  try {
    container = await docker.createContainer({
      name,
      Image: agent.image,
      User: ctx.user,
      Entrypoint: ['node'],
      Cmd: [EGRESS_MAIN, 'proxy', EGRESS_SOCKET],
      Env: [allowEnv, `RALPH_AGENT_ID=${agent.id}`],
      Labels: labels,
      WorkingDir: '/',
      HostConfig: {
        Mounts: [
          { Type: 'bind', Source: ctx.ralphInstallDir, Target: CONTAINER_INSTALL, ReadOnly: true },
          {
            Type: 'volume',
            Source: volume,
            Target: EGRESS_SOCKET_DIR,
            // In memory and private to the agent's uid: only the proxy and its one agent share it.
            VolumeOptions: {
              NoCopy: true,
              Labels: labels,
              DriverConfig: {
                Name: 'local',
                Options: { type: 'tmpfs', device: 'tmpfs', o: `size=1m,uid=${uid},gid=${gid ?? uid},mode=0700` },
              },
            },
          },
        ],
        NetworkMode: network,
        Init: true,
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges:true'],
        Memory: PROXY_MEMORY_BYTES,
        MemorySwap: PROXY_MEMORY_BYTES,
        PidsLimit: PROXY_PIDS_LIMIT,
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 },
      },
    });
    await container.start();
  } catch (error) {
    return {
      warning: `egress proxy ${name} could not start on ${ctx.where} (${engineMessage(error)}): the agent has no network`,
    };
  }
  const ready = await waitForLogLine(container, '"decision":"listening"');
  if (ready.found) return {};
  return {
    warning: `egress proxy ${name} did not start${ready.last ? ` (${ready.last})` : ''}: the agent has no network`,
  };
}

/** Checks the agent container's forwarder to its proxy came up; a warning otherwise (the agent has no network). */
export async function checkEgressForwarder(container: Docker.Container, agentId: string): Promise<string | undefined> {
  const ready = await waitForLogLine(container, '"decision":"forwarding"');
  if (ready.found) return undefined;
  return `agent ${agentId}: the egress forwarder did not start${ready.last ? ` (${ready.last})` : ''}: the agent has no network`;
}

/**
 * Follows the proxy's log and calls `onDenied` for every refused destination (the supervisor turns them into
 * events a person sees). Returns a function that stops following.
 */
export async function followEgressDenials(
  docker: Docker,
  agent: { containerName: string },
  onDenied: (line: EgressLogLine) => void,
): Promise<() => void> {
  const container = docker.getContainer(egressName(agent));
  const stream = (await container.logs({
    follow: true,
    stdout: true,
    stderr: false,
    since: Math.floor(Date.now() / 1000),
  })) as NodeJS.ReadableStream & { destroy?: () => void };
  const out = new PassThrough();
  docker.modem.demuxStream(stream, out, new PassThrough());
  const lines = readline.createInterface({ input: out });
  lines.on('line', (line) => {
    try {
      const parsed = JSON.parse(line) as EgressLogLine;
      if (parsed.ralph === 'egress' && parsed.decision === 'denied') onDenied(parsed);
    } catch {
      // Not one of the proxy's lines.
    }
  });
  stream.on('error', () => lines.close());
  return () => {
    lines.close();
    stream.destroy?.();
  };
}
