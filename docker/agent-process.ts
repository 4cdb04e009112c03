// Tracks and kills an agent's process inside its container, since `docker exec` leaves it orphaned otherwise.
import type Docker from 'dockerode';
import type { ContainerAgent } from './container-agent.js';

/**
 * The agent's process inside its container. `docker exec` cannot be re-attached, and killing the `docker exec`
 * client (supervisor shut down, restart on request) leaves the process running in the container, orphaned on a
 * pty nobody reads (measured with the busybox test image); the next start would then run a second agent. So the
 * exec'd shell records its pid and start time, and the supervisor signals that process group (docker exec -t makes
 * it a session leader) before every new exec and when it stops the agent.
 */
export function pidFile(agent: Pick<ContainerAgent, 'id'>): string {
  return `/tmp/ralph-agent-${agent.id}.pid`;
}

/** The pty holder's socket: in the container's private /tmp (a tmpfs), beside the pid file, not in the workspace. */
export function holderSocket(agent: Pick<ContainerAgent, 'id'>): string {
  return `/tmp/ralph-agent-${agent.id}.dtach`;
}

/** "pid starttime" of the shell behind the supervisor's `docker exec`, which attaches to the holder. */
export function clientFile(agent: Pick<ContainerAgent, 'id'>): string {
  return `/tmp/ralph-agent-${agent.id}.client`;
}

/**
 * Shell that kills the recorded holder client's group (an attach left behind by a supervisor that died: `docker
 * exec` orphans it in the container, and dtach keeps sending it the agent's output).
 */
export function killHolderClient(agent: Pick<ContainerAgent, 'id'>): string {
  const file = clientFile(agent);
  return [
    `if [ -f ${file} ]; then`,
    `  set -- $(cat ${file}); rm -f ${file}`,
    `  if [ -n "$1" ] && [ "$1" -gt 1 ] && [ "$(cut -d' ' -f22 /proc/$1/stat 2>/dev/null)" = "$2" ]; then kill -KILL -$1 2>/dev/null; fi`,
    'fi',
  ].join('\n');
}

/**
 * The command for `docker exec … sh -c`: record "pid starttime", then run the agent's shell text, which ends by
 * exec'ing the agent (exec keeps both).
 */
export function recordedCommand(
  agent: Pick<ContainerAgent, 'id'> & { command: string },
  script = `exec ${agent.command}`,
): string {
  return `${recordSelf(pidFile(agent))}; ${script}`;
}

/** Shell that writes the shell's own "pid starttime" to `file`. */
export function recordSelf(file: string): string {
  return `echo "$$ $(cut -d' ' -f22 /proc/$$/stat)" > ${file}`;
}

/**
 * Shell that sends SIGHUP to the recorded group, waits up to `graceSeconds`, then SIGKILLs it. The start time
 * check keeps a stale file (container restarted, pid reused) from signalling an unrelated process; pid 1 (the
 * container's keep-alive) is never signalled. An agent under a pty holder goes the same way (its holder exits with
 * it); the holder's socket and the last attached client go too (see agent-holder.ts).
 */
export function killScript(agent: Pick<ContainerAgent, 'id'>, graceSeconds = 3): string {
  const file = pidFile(agent);
  return [
    killHolderClient(agent),
    '(',
    `[ -f ${file} ] || exit 0`,
    `set -- $(cat ${file}); rm -f ${file}`,
    `[ -n "$1" ] && [ "$1" -gt 1 ] || exit 0`,
    `[ "$(cut -d' ' -f22 /proc/$1/stat 2>/dev/null)" = "$2" ] || exit 0`,
    `kill -HUP -$1 2>/dev/null`,
    `i=0; while kill -0 -$1 2>/dev/null && [ $i -lt ${graceSeconds * 10} ]; do sleep 0.1; i=$((i+1)); done`,
    `kill -KILL -$1 2>/dev/null`,
    ')',
    `rm -f ${holderSocket(agent)}; exit 0`,
  ].join('\n');
}

/** Runs killScript in the container through the Engine API (no TTY needed); a stopped or missing container is fine. */
export async function killContainerAgent(
  docker: Docker,
  containerId: string,
  agent: Pick<ContainerAgent, 'id' | 'containerName'>,
  graceSeconds = 3,
): Promise<void> {
  await runInContainer(docker, containerId, killScript(agent, graceSeconds));
}

/**
 * Runs shell text in the container through the Engine API as the container's user and returns its exit code; null
 * when the container is not running or gone, or the code cannot be read.
 */
export async function runInContainer(docker: Docker, containerId: string, script: string): Promise<number | null> {
  const container = docker.getContainer(containerId);
  let exec: Docker.Exec;
  try {
    exec = await container.exec({ Cmd: ['sh', '-c', script], AttachStdout: true, AttachStderr: true });
  } catch {
    return null; // Not running or gone: nothing of the agent's is left in it.
  }
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
    stream.resume();
  });
  const info = await exec.inspect().catch(() => null);
  return typeof info?.ExitCode === 'number' ? info.ExitCode : null;
}
