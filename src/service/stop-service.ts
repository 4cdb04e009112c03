// Asks a workspace's running supervisor service to stop every agent and end (for `ralph-tui down`).
import { UserError } from '../../core/errors.js';
import { connectSocket, noServiceListening, ServiceClient } from './service-client.js';
import { serviceSocketPath } from './service-socket.js';

/** Stopping agents (a container's gets 10 s after SIGTERM) and closing transcripts: well within this. */
const STOP_LIMIT_MS = 60_000;

/**
 * Stops the service and its agents, removing their containers (as `down` does); resolves with the service's pid once
 * its connection closed, or null when no service runs.
 */
export async function stopService(workspace: string): Promise<{ pid: number } | null> {
  let client: ServiceClient;
  try {
    client = await ServiceClient.attach(await connectSocket(serviceSocketPath(workspace)), { readOnly: false });
  } catch (error) {
    if (noServiceListening(error)) return null;
    throw error;
  }
  // Stopping needs no panes: the service skips serialising them.
  client.supervisor.showing?.([]);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new UserError(
            `the supervisor service (pid ${client.servicePid}) did not stop within ${STOP_LIMIT_MS / 1000} s`,
          ),
        ),
      STOP_LIMIT_MS,
    );
  });
  try {
    await Promise.race([client.supervisor.shutdown({ down: true }), limit]);
  } finally {
    clearTimeout(timer);
  }
  return { pid: client.servicePid };
}
