// Picks the uid:gid agents run as and checks they can write what they must in the workspace.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { DEFAULT_AGENT_UID, workspaceMounts, type WorkspaceMounts } from './container-spec.js';

/**
 * The uid:gid agents run as: the workspace owner's, so files agents write stay the user's and the
 * workspace stays writable. A root-owned workspace would need root in the container, which we refuse.
 */
export function workspaceUser(workspace: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(workspace);
  } catch {
    throw new UserError(`workspace ${workspace} does not exist`);
  }
  if (stat.uid !== 0) return `${stat.uid}:${stat.gid}`;
  if (stat.mode & 0o002) return `${DEFAULT_AGENT_UID}:${DEFAULT_AGENT_UID}`;
  throw new UserError(
    `workspace ${workspace} is owned by root, but agent containers run as a non-root user (uid ${DEFAULT_AGENT_UID}) who could not write it — run \`chown -R ${DEFAULT_AGENT_UID}:${DEFAULT_AGENT_UID} ${workspace}\` or use a workspace your own user owns`,
  );
}

/** What agents write: the shared protocol files, the log, experiment folders and MLflow runs. */
const AGENT_WRITES = ['orchestration', 'ITERATION_LOG.md', 'experiments', 'mlruns'];
const MAX_DEPTH = 3;
const MAX_ENTRIES = 2_000;

function writable(stat: fs.Stats, uid: number, gid: number): boolean {
  const bits = stat.uid === uid ? 0o200 : stat.gid === gid ? 0o020 : 0o002;
  // Folders also need search permission to create files in them.
  const search = stat.isDirectory() ? bits >> 1 : 0;
  return (stat.mode & bits) !== 0 && (stat.mode & search) === search;
}

/**
 * Fails before the agents start when they could not write the files they work on — typically a workspace
 * made by ralph-tui running as root (its files are root's) while agents run as the owner's uid. Without this
 * the agents fail later, one permission error at a time, inside their sessions.
 */
export function assertAgentCanWrite(workspace: string, user: string): void {
  const [uid, gid] = user.split(':').map(Number) as [number, number];
  let seen = 0;
  const visit = (file: string, depth: number): void => {
    if (seen++ > MAX_ENTRIES) return;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(file);
    } catch {
      return;
    }
    if (stat.isSymbolicLink()) return;
    if (!writable(stat, uid, gid)) {
      throw new UserError(
        `agent containers run as uid ${uid}, but ${path.relative(workspace, file)} in ${workspace} belongs to uid ${stat.uid} and they cannot write it — run \`chown -R ${uid}:${gid} ${workspace}\` (ralph-tui run as root creates root-owned files: run it as the workspace's owner)`,
      );
    }
    if (!stat.isDirectory() || depth >= MAX_DEPTH) return;
    for (const name of fs.readdirSync(file)) visit(path.join(file, name), depth + 1);
  };
  for (const name of AGENT_WRITES) visit(path.join(workspace, name), 1);
}

/**
 * The host side of the container layout (see workspaceMounts): makes the folders agents may write (run progress,
 * the agent's own status folder) and checks that none of the mounted paths is, or lies under, a symbolic link —
 * the engine follows links in bind sources, so a link planted by an agent would mount its target (say `/`) into a
 * container. Absent optional paths (the config, data/) are simply not mounted.
 */
export function prepareWorkspaceMounts(workspace: string, agentId?: string, user?: string): WorkspaceMounts {
  const planned = workspaceMounts(workspace, agentId);
  const realRoot = fs.realpathSync(planned.workspace);
  const refuse = (file: string, what: string) =>
    new UserError(
      `${file} ${what}: agent containers mount it, so it must be a real ${file.endsWith('.json') ? 'file' : 'folder'} inside ${planned.workspace} — replace it`,
    );
  const inspect = (file: string, kind: 'file' | 'dir', create: boolean): string | undefined => {
    const parts = path.relative(planned.workspace, file).split(path.sep);
    let current = planned.workspace;
    for (const [index, part] of parts.entries()) {
      current = path.join(current, part);
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(current);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        if (!create) return undefined;
        fs.mkdirSync(current, { mode: 0o700 });
        stat = fs.lstatSync(current);
      }
      if (stat.isSymbolicLink()) throw refuse(current, 'is a symbolic link');
      const last = index === parts.length - 1;
      if ((!last || kind === 'dir') && !stat.isDirectory()) throw refuse(current, 'is not a folder');
      if (last && kind === 'file' && !stat.isFile()) throw refuse(current, 'is not a regular file');
    }
    if (fs.realpathSync(file) !== path.join(realRoot, path.relative(planned.workspace, file)))
      throw refuse(file, 'resolves outside its place');
    return file;
  };
  const writable = (file: string | undefined) => {
    // A supervisor running as root makes these root's; the agents (the workspace owner's uid) write them.
    if (file && user && process.getuid?.() === 0) {
      const [uid, gid] = user.split(':').map(Number) as [number, number];
      fs.chownSync(file, uid, gid);
    }
    return file;
  };
  return {
    workspace: planned.workspace,
    config: inspect(planned.config!, 'file', false),
    data: inspect(planned.data!, 'dir', false),
    progress: writable(inspect(planned.progress, 'dir', true))!,
    statusDir: planned.statusDir ? writable(inspect(planned.statusDir, 'dir', true)) : undefined,
  };
}
