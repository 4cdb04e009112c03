// Where a workspace's supervisor service listens, and making that place private.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../core/errors.js';
import { ensureDir, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, removeFile } from '../../core/safe-fs.js';
import { workspacePaths } from '../../core/workspace-paths.js';

/** A socket address holds 108 bytes on Linux (107 and the NUL); a longer path cannot be bound. */
const MAX_SOCKET_PATH = 100;

/**
 * The control socket: `.ralph/service.sock` (the supervisor's private folder, 0700, masked in every container).
 * A workspace whose path is too long for a socket address gets one in a private folder of this user under the
 * temporary folder, named by a hash of the workspace path, so every screen finds the same one.
 */
export function serviceSocketPath(workspace: string): string {
  const inWorkspace = workspacePaths(workspace).serviceSocket;
  if (Buffer.byteLength(inWorkspace) <= MAX_SOCKET_PATH) return inWorkspace;
  const hash = createHash('sha256').update(path.resolve(workspace)).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), `ralph-tui-${process.getuid?.() ?? 'user'}`, `${hash}.sock`);
}

/**
 * Makes the socket's folder exist and private before the service binds: `.ralph` through the safe file layer; the
 * temporary folder by hand (outside the workspace, where the safe layer does not reach), refusing one another user
 * made or a link planted in its place.
 */
export function prepareSocketFolder(socket: string, workspace: string): void {
  const folder = path.dirname(socket);
  if (folder === workspacePaths(workspace).ralph) {
    ensureDir(folder, { private: true });
    removeFile(socket);
    return;
  }
  try {
    fs.mkdirSync(folder, { mode: PRIVATE_DIR_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stat = fs.lstatSync(folder);
  if (!stat.isDirectory() || stat.uid !== process.getuid?.() || (stat.mode & 0o077) !== 0)
    throw new UserError(
      `${folder} (the supervisor service's socket folder) is not a private folder of this user: remove it and start again`,
    );
  fs.rmSync(socket, { force: true });
}

/** The socket itself 0600 as well: its folder already keeps others out, this keeps it so if the folder is loosened. */
export function makeSocketPrivate(socket: string): void {
  fs.chmodSync(socket, PRIVATE_FILE_MODE);
}
