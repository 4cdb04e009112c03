// Asks a workspace's running supervisor service to stop every agent and end (for `ralph-tui down`).
import { UserError } from '../../core/errors.js';
import { connectSocket, ServiceClient } from './service-client.js';
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
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED') return null;
    throw error;
  }
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
