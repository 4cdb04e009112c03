// Resolves a command's workspace folder from --workspace, RALPH_WORKSPACE or the current folder.
import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { exists } from '../../core/safe-fs.js';
import { resolveWorkspace } from '../../core/workspace-paths.js';
import { ralphInstallDir } from '../../docker/install-dir.js';

/**
 * The workspace folder for a command, from the global --workspace option (or RALPH_WORKSPACE, or cwd).
 * In ralph-tui's own folder, where `npm start` keeps its workspace in ./workspace, that folder is the
 * default: `node bin/ralph-tui.js status` there reports on what `npm start` runs.
 */
export function workspaceOf(command: Command): string {
  const explicit = (command.optsWithGlobals().workspace as string | undefined) ?? process.env.RALPH_WORKSPACE;
  if (explicit === undefined && isInstallDir(process.cwd()) && !exists(path.join(process.cwd(), 'ralph.config.json'))) {
    return path.join(process.cwd(), 'workspace');
  }
  return resolveWorkspace(explicit);
}

function isInstallDir(dir: string): boolean {
  try {
    return path.resolve(dir) === ralphInstallDir();
  } catch {
    return false;
  }
}

/** Fails with one sentence when `root` is no workspace at all (reading one would report only "missing"). */
export function requireWorkspace(root: string): void {
  if (exists(path.join(root, 'ralph.config.json')) || exists(path.join(root, 'orchestration', 'shared'))) return;
  throw new UserError(
    `${root} is not a ralph-tui workspace (no ralph.config.json or orchestration/shared/); pass --workspace DIR or set RALPH_WORKSPACE (\`npm start\` keeps its workspace in ./workspace of the ralph-tui folder)`,
  );
}
