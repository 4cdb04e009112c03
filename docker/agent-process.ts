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

/**
 * The command for `docker exec … sh -c`: record "pid starttime", then run the agent's shell text, which ends by
 * exec'ing the agent (exec keeps both).
 */
export function recordedCommand(
  agent: Pick<ContainerAgent, 'id'> & { command: string },
  script = `exec ${agent.command}`,
): string {
  return `echo "$$ $(cut -d' ' -f22 /proc/$$/stat)" > ${pidFile(agent)}; ${script}`;
}

/**
 * Shell that sends SIGHUP to the recorded group, waits up to `graceSeconds`, then SIGKILLs it. The start time
 * check keeps a stale file (container restarted, pid reused) from signalling an unrelated process; pid 1 (the
 * container's keep-alive) is never signalled.
 */
export function killScript(agent: Pick<ContainerAgent, 'id'>, graceSeconds = 3): string {
  const file = pidFile(agent);
  return [
    `[ -f ${file} ] || exit 0`,
    `set -- $(cat ${file}); rm -f ${file}`,
    `[ -n "$1" ] && [ "$1" -gt 1 ] || exit 0`,
    `[ "$(cut -d' ' -f22 /proc/$1/stat 2>/dev/null)" = "$2" ] || exit 0`,
    `kill -HUP -$1 2>/dev/null`,
    `i=0; while kill -0 -$1 2>/dev/null && [ $i -lt ${graceSeconds * 10} ]; do sleep 0.1; i=$((i+1)); done`,
    `kill -KILL -$1 2>/dev/null; exit 0`,
  ].join('\n');
}

/** Runs killScript in the container through the Engine API (no TTY needed); a stopped or missing container is fine. */
export async function killContainerAgent(
  docker: Docker,
  containerId: string,
  agent: Pick<ContainerAgent, 'id' | 'containerName'>,
  graceSeconds = 3,
): Promise<void> {
  const container = docker.getContainer(containerId);
  let exec: Docker.Exec;
  try {
    exec = await container.exec({
      Cmd: ['sh', '-c', killScript(agent, graceSeconds)],
      AttachStdout: true,
      AttachStderr: true,
    });
  } catch {
    return; // Not running or gone: nothing of the agent's is left in it.
  }
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
    stream.resume();
  });
}
