// Finds the workspace's supervisor service, starting it in the background when none runs, and attaches a screen.
import { spawn } from 'node:child_process';
import { UserError } from '../../core/errors.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { tailLines } from '../../orchestration/index.js';
import { cliPath } from '../cli-path.js';
import { connectSocket, noServiceListening, ServiceClient } from './service-client.js';
import { serviceSocketPath } from './service-socket.js';

/** Starting a service means starting its agents' containers too: an engine pulling or creating them takes seconds. */
const START_LIMIT_MS = 60_000;
const POLL_MS = 50;

export interface AttachOptions {
  readOnly?: boolean;
  /** The size the agents' emulators start at when this call starts the service (the screen's first pane). */
  cols?: number;
  rows?: number;
}

/**
 * Attaches to the running service, or starts `ralph-tui up --headless --service` detached from this terminal
 * (its own session: a hang-up here does not reach it) and attaches once its socket answers. `started` says which.
 */
export async function attachService(
  workspace: string,
  options: AttachOptions = {},
): Promise<{ client: ServiceClient; started: boolean }> {
  const socketPath = serviceSocketPath(workspace);
  try {
    return { client: await ServiceClient.attach(await connectSocket(socketPath), options), started: false };
  } catch (error) {
    if (!noServiceListening(error)) throw error;
  }
  if (options.readOnly)
    throw new UserError(
      `no supervisor service runs on ${workspace}: a read-only screen watches one that runs (start it with \`ralph-tui\` or \`ralph-tui up --headless\`)`,
    );
  const args = [cliPath, '--workspace', workspace, 'up', '--headless', '--service'];
  if (options.cols && options.rows) args.push('--pane-size', `${options.cols}x${options.rows}`);
  const child = spawn(process.execPath, args, { cwd: workspace, detached: true, stdio: 'ignore' });
  let exited: string | null = null;
  child.once('exit', (code, signal) => (exited = signal ?? `exit code ${code}`));
  child.once('error', (error) => (exited = error.message));
  child.unref();
  const deadline = Date.now() + START_LIMIT_MS;
  for (;;) {
    try {
      return { client: await ServiceClient.attach(await connectSocket(socketPath), options), started: true };
    } catch (error) {
      if (!noServiceListening(error)) throw error;
    }
    if (exited !== null)
      throw new UserError(`the supervisor service did not start (${exited}): ${await lastLogLine(workspace)}`);
    if (Date.now() > deadline)
      throw new UserError(
        `the supervisor service did not open ${socketPath} within ${START_LIMIT_MS / 1000} s (see ${workspacePaths(workspace).serviceLog})`,
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The service's last words (it writes its errors to its log: it has no terminal). */
async function lastLogLine(workspace: string): Promise<string> {
  const log = workspacePaths(workspace).serviceLog;
  const lines = await tailLines(log, 1).catch((error: Error) => [`cannot read ${log}: ${error.message}`]);
  return lines.at(-1)?.replace(/^ralph-tui: /, '') || `nothing in ${log}`;
}
