import type { Command } from 'commander';
import { resolveWorkspace } from '../../core/workspace-paths.js';

/** The workspace folder for a command, from the global --workspace option (or RALPH_WORKSPACE, or cwd). */
export function workspaceOf(command: Command): string {
  return resolveWorkspace(command.optsWithGlobals().workspace as string | undefined);
}
