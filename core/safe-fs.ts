// The one module that touches node:fs for workspace paths: no links, regular files only, size caps, non-blocking opens, atomic replaces.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileSystemError, UserError } from './errors.js';

/**
 * Everything an agent can write is untrusted input to the supervisor (ARCHITECTURE.md, "The trust boundary"):
 * a path may be a symlink to a host file, a FIFO that blocks a read for good, a 5 GB "queue" or a folder linked
 * out of the workspace. Every open here uses O_NOFOLLOW (a link in the last component is refused, never
 * followed) and O_NONBLOCK (a FIFO opens at once instead of waiting for a writer), then fstat on the descriptor
 * (no race between the check and the read): anything but a regular file is refused by name. Reads are capped.
 * Writes go to a temp file in the same folder and are renamed over the path, which replaces a link itself and
 * never writes through it. Folders of a registered workspace must resolve inside it (no parent link out).
 */

/** What JSON files may weigh by default: the largest real queue seen is ~2 MB; 64 MB is far beyond any honest one. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** Why a path was refused; callers that report events match on it. */
export type UnsafeReason = 'symlink' | 'not-regular' | 'too-large' | 'outside-workspace' | 'hard-linked';

/** A workspace path that ralph-tui refuses to use as it is (link, FIFO, device, huge, linked out of the workspace). */
export class UnsafeFileError extends UserError {
  constructor(
    readonly file: string,
    readonly reason: UnsafeReason,
    message: string,
    /** What was at the path, when that was the problem. */
    readonly kind?: EntryKind,
  ) {
    super(message);
    this.name = 'UnsafeFileError';
  }
}

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
const READ_FLAGS = O_RDONLY | O_NOFOLLOW | O_NONBLOCK;
const APPEND_FLAGS = O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK;
const CREATE_FLAGS = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;

/** Private: the supervisor's own state (config, transcripts, events, records). Shared: what agents read too. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;
const SHARED_FILE_MODE = 0o644;

// ---------------------------------------------------------------------------------------------------------------
// Workspace roots: folders inside one must resolve inside it.

const roots = new Map<string, string | null>();

/** Declares a workspace root (workspacePaths does it): paths below it must not lead out of it through a link. */
export function registerWorkspaceRoot(root: string): void {
  const resolved = path.resolve(root);
  if (!roots.has(resolved)) roots.set(resolved, null);
}

function realRoot(root: string): string | null {
  let real = roots.get(root) ?? null;
  if (real === null) {
    try {
      real = fs.realpathSync(root);
      roots.set(root, real);
    } catch {
      return null;
    }
  }
  return real;
}

/** The registered root that lexically contains `file` (the deepest one), if any. */
function rootOf(file: string): string | null {
  let best: string | null = null;
  for (const root of roots.keys()) {
    if ((file === root || file.startsWith(root + path.sep)) && (best === null || root.length > best.length))
      best = root;
  }
  return best;
}

function within(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
}

/**
 * Refuses a path whose folder resolves outside the workspace that contains it (a folder replaced by a link to
 * /etc, say). A missing folder passes: opening in it fails with ENOENT anyway. Paths outside every registered
 * workspace (a --out file a person named) are not checked.
 */
export function assertInsideWorkspace(file: string): void {
  const absolute = path.resolve(file);
  const root = rootOf(absolute);
  if (root === null || absolute === root) return;
  const real = realRoot(root);
  if (real === null) return;
  let parent: string;
  try {
    parent = fs.realpathSync(path.dirname(absolute));
  } catch {
    return;
  }
  if (!within(parent, real)) {
    throw new UnsafeFileError(
      absolute,
      'outside-workspace',
      `${absolute}: its folder leads to ${parent}, outside the workspace ${root}; ralph-tui does not follow links out of the workspace`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// What a path is, without following it.

export type EntryKind = 'file' | 'directory' | 'symlink' | 'fifo' | 'socket' | 'device' | 'missing';

export interface Entry {
  kind: EntryKind;
  size: number;
  mtimeMs: number;
  ino: number;
  mode: number;
}

function kindOf(stat: fs.Stats): EntryKind {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'directory';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isFIFO()) return 'fifo';
  if (stat.isSocket()) return 'socket';
  return 'device';
}

/** lstat in words: what is at the path itself (a link is a link, never its target). */
export function entry(file: string): Entry {
  try {
    const stat = fs.lstatSync(file);
    return { kind: kindOf(stat), size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, mode: stat.mode };
  } catch (error) {
    if (isMissing(error)) return { kind: 'missing', size: 0, mtimeMs: 0, ino: 0, mode: 0 };
    throw error;
  }
}

/** The async twin of entry. */
export async function entryAsync(file: string): Promise<Entry> {
  try {
    const stat = await fsp.lstat(file);
    return { kind: kindOf(stat), size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, mode: stat.mode };
  } catch (error) {
    if (isMissing(error)) return { kind: 'missing', size: 0, mtimeMs: 0, ino: 0, mode: 0 };
    throw error;
  }
}

/** Something (of any kind) is at the path. Replaces existsSync, which follows links. */
export function exists(file: string): boolean {
  return entry(file).kind !== 'missing';
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

const KIND_WORDS: Record<EntryKind, string> = {
  file: 'a regular file',
  directory: 'a folder',
  symlink: 'a symbolic link',
  fifo: 'a FIFO (named pipe)',
  socket: 'a socket',
  device: 'a device',
  missing: 'missing',
};

function notRegular(file: string, kind: EntryKind): UnsafeFileError {
  return new UnsafeFileError(
    file,
    kind === 'symlink' ? 'symlink' : 'not-regular',
    `${file} is ${KIND_WORDS[kind]}, not a regular file; ralph-tui neither follows links nor reads pipes or devices in the workspace (remove it)`,
    kind,
  );
}

/** One sentence for an event: a private file that was a link (or pipe, or hard link) was replaced. */
export function replacementNote(refusal: UnsafeFileError): string {
  const what =
    refusal.reason === 'hard-linked' ? 'a hard link shared with another file' : KIND_WORDS[refusal.kind ?? 'symlink'];
  return `${refusal.file} was ${what}; replaced it with a new private file (what it pointed to was not touched)`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

function tooLarge(file: string, size: number, max: number): UnsafeFileError {
  return new UnsafeFileError(
    file,
    'too-large',
    `${file} is ${formatBytes(size)}, over the ${formatBytes(max)} ralph-tui reads from such a file; it was not read`,
  );
}

/** Translates an open error: a link in the last component (ELOOP under O_NOFOLLOW) is refused by name. */
function openError(error: unknown, file: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return notRegular(file, 'symlink');
  if (code === 'ENXIO') return notRegular(file, entry(file).kind === 'socket' ? 'socket' : 'fifo');
  if (code === 'EISDIR') return notRegular(file, 'directory');
  return error as Error;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading.

export interface ReadOptions {
  /** Refuse (or, with `truncate`, cut) files larger than this. Default DEFAULT_MAX_BYTES. */
  maxBytes?: number;
  /** Return the first maxBytes instead of refusing a larger file (a STOP reason, a prompt preview). */
  truncate?: boolean;
}

/** Opens for reading without following a link or waiting on a FIFO; the descriptor is a regular file. */
function openReadSync(file: string): { fd: number; stat: fs.Stats } | null {
  assertInsideWorkspace(file);
  let fd: number;
  try {
    fd = fs.openSync(file, READ_FLAGS);
  } catch (error) {
    if (isMissing(error)) return null;
    throw openError(error, file);
  }
  const stat = fs.fstatSync(fd);
  if (!stat.isFile()) {
    fs.closeSync(fd);
    throw notRegular(file, kindOf(stat));
  }
  return { fd, stat };
}

/** The file's bytes, or null when it does not exist. Throws UnsafeFileError for links, pipes, devices, oversize. */
export function readBytes(file: string, options: ReadOptions = {}): Buffer | null {
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const opened = openReadSync(file);
  if (!opened) return null;
  const { fd, stat } = opened;
  try {
    if (stat.size > max && !options.truncate) throw tooLarge(file, stat.size, max);
    // Read at most max + 1 bytes whatever fstat said: the file may grow while it is read.
    const buffer = Buffer.alloc(Math.min(stat.size, max) + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = fs.readSync(fd, buffer, length, buffer.length - length, length);
      if (read === 0) break;
      length += read;
    }
    if (length > max) {
      if (!options.truncate) throw tooLarge(file, length, max);
      length = max;
    }
    return buffer.subarray(0, length);
  } finally {
    fs.closeSync(fd);
  }
}

/** The file's last `maxBytes` bytes (all of a shorter file), or null when it does not exist (checks as readBytes). */
export function readTail(file: string, maxBytes: number): Buffer | null {
  const opened = openReadSync(file);
  if (!opened) return null;
  const { fd, stat } = opened;
  try {
    const start = Math.max(0, stat.size - maxBytes);
    const buffer = Buffer.alloc(stat.size - start);
    let length = 0;
    while (length < buffer.length) {
      const read = fs.readSync(fd, buffer, length, buffer.length - length, start + length);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length);
  } finally {
    fs.closeSync(fd);
  }
}

/** The file as UTF-8 text, or null when it does not exist (see readBytes). */
export function readText(file: string, options: ReadOptions = {}): string | null {
  return readBytes(file, options)?.toString('utf8') ?? null;
}

/** The async twin of readText, for watchers that must not hold the event loop while a file is read. */
export async function readTextAsync(file: string, options: ReadOptions = {}): Promise<string | null> {
  const handle = await openRead(file);
  if (!handle) return null;
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  try {
    const { size } = await handle.stat();
    if (size > max && !options.truncate) throw tooLarge(file, size, max);
    const buffer = Buffer.alloc(Math.min(size, max) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > max) {
      if (!options.truncate) throw tooLarge(file, length, max);
      length = max;
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * A read handle on a regular file (for tailing and following a log by offset), or null when it does not exist.
 * The caller closes it.
 */
export async function openRead(file: string): Promise<fsp.FileHandle | null> {
  assertInsideWorkspace(file);
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, READ_FLAGS);
  } catch (error) {
    if (isMissing(error)) return null;
    throw openError(error, file);
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw notRegular(file, kindOf(stat));
  }
  return handle;
}

/** A folder's entries (names and kinds, links not followed); empty when it does not exist. */
export function listDir(dir: string): fs.Dirent[] {
  assertInsideWorkspace(path.join(dir, 'entry'));
  const kind = entry(dir).kind;
  if (kind === 'missing') return [];
  if (kind !== 'directory') throw notDirectory(dir, kind);
  return fs.readdirSync(dir, { withFileTypes: true });
}

/** The async twin of listDir. */
export async function listDirAsync(dir: string): Promise<fs.Dirent[]> {
  assertInsideWorkspace(path.join(dir, 'entry'));
  let stat: fs.Stats;
  try {
    stat = await fsp.lstat(dir);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  if (!stat.isDirectory()) throw notDirectory(dir, kindOf(stat));
  return fsp.readdir(dir, { withFileTypes: true });
}

function notDirectory(dir: string, kind: EntryKind): UnsafeFileError {
  return new UnsafeFileError(
    dir,
    kind === 'symlink' ? 'symlink' : 'not-regular',
    `${dir} is ${KIND_WORDS[kind]}, not a folder; ralph-tui does not follow links in the workspace (remove it)`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Folders.

/**
 * mkdir -p that refuses a link (or a file) where a folder should be, and keeps inside the workspace. `private`
 * (the supervisor's own folders) creates 0700, tightens an existing last folder to 0700 (older workspaces made
 * .ralph 0755), and replaces a link or file in its place instead of refusing it: an agent must not be able to
 * stop the supervisor by planting one.
 */
export function ensureDir(dir: string, options: { private?: boolean } = {}): void {
  const absolute = path.resolve(dir);
  const mode = options.private ? PRIVATE_DIR_MODE : 0o755;
  const root = rootOf(absolute);
  if (root === null || absolute === root) {
    // The workspace itself and folders outside it (a --out folder a person named) are theirs to link.
    try {
      fs.mkdirSync(absolute, { recursive: true, mode });
    } catch (error) {
      throw fileSystemError(error, absolute) ?? error;
    }
  } else {
    ensureDir(path.dirname(absolute));
    const found = entry(absolute).kind;
    if (options.private && found !== 'missing' && found !== 'directory') fs.rmSync(absolute, { force: true });
    if (entry(absolute).kind === 'missing') {
      try {
        fs.mkdirSync(absolute, { mode });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fileSystemError(error, absolute) ?? error;
      }
    }
    const existing = entry(absolute);
    if (existing.kind !== 'directory') throw notDirectory(absolute, existing.kind);
    assertInsideWorkspace(path.join(absolute, 'entry'));
  }
  if (options.private && (entry(absolute).mode & 0o777) !== PRIVATE_DIR_MODE) fs.chmodSync(absolute, PRIVATE_DIR_MODE);
}

// ---------------------------------------------------------------------------------------------------------------
// Writing.

export interface WriteOptions {
  /** File mode of the new file: PRIVATE_FILE_MODE for the supervisor's own files. Default 0644. */
  mode?: number;
  /**
   * Runs after the new content is on disk and just before it replaces the path; throwing aborts the write and
   * leaves the file as it was (a lock lost mid-update).
   */
  beforeReplace?: () => void;
  /** fsync before the rename (default). Off only for files whose loss in a power cut does not matter. */
  fsync?: boolean;
}

function tempName(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`,
  );
}

/**
 * Atomic replace: a new temp file in the same folder (O_EXCL, never an existing path), written and fsynced, then
 * renamed over `file`. rename() replaces a link at `file` with the file itself — the link's target is never
 * opened. A crash leaves either the old file or the new one.
 */
export function writeAtomicSync(file: string, data: string | Uint8Array, options: WriteOptions = {}): void {
  assertInsideWorkspace(file);
  const temp = tempName(file);
  let fd: number | null = null;
  try {
    fd = fs.openSync(temp, CREATE_FLAGS, options.mode ?? SHARED_FILE_MODE);
    fs.writeFileSync(fd, data);
    if (options.fsync !== false) fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    options.beforeReplace?.();
    fs.renameSync(temp, file);
  } catch (error) {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw fileSystemError(error, file, '; the file is unchanged') ?? renameError(error, file);
  }
}

/** The async twin of writeAtomicSync. */
export async function writeAtomic(file: string, data: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
  assertInsideWorkspace(file);
  const temp = tempName(file);
  let handle: fsp.FileHandle | null = null;
  try {
    handle = await fsp.open(temp, CREATE_FLAGS, options.mode ?? SHARED_FILE_MODE);
    await handle.writeFile(data);
    if (options.fsync !== false) await handle.sync();
    await handle.close();
    handle = null;
    options.beforeReplace?.();
    await fsp.rename(temp, file);
  } catch (error) {
    if (handle !== null) await handle.close().catch(() => undefined);
    await fsp.rm(temp, { force: true });
    throw fileSystemError(error, file, '; the file is unchanged') ?? renameError(error, file);
  }
}

function renameError(error: unknown, file: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR' || code === 'ENOTEMPTY') return notRegular(file, 'directory');
  return error;
}

/**
 * Opens `file` for appending without following a link. For the supervisor's own files (`private`) an entry
 * that is not a plain regular file of its own — a link, a FIFO, a hard link to another file — is removed (the
 * entry, never what it points to) and a fresh 0600 file created; `onReplaced` says so. For shared files such an
 * entry is an error.
 */
function openAppendSync(file: string, options: AppendOptions): number {
  assertInsideWorkspace(file);
  const mode = options.private ? PRIVATE_FILE_MODE : SHARED_FILE_MODE;
  for (let attempt = 0; ; attempt++) {
    let fd: number | null = null;
    let refusal: UnsafeFileError;
    try {
      fd = fs.openSync(file, APPEND_FLAGS, mode);
      const stat = fs.fstatSync(fd);
      if (stat.isFile() && stat.nlink <= 1) {
        if (options.private && (stat.mode & 0o777) !== PRIVATE_FILE_MODE) fs.fchmodSync(fd, PRIVATE_FILE_MODE);
        return fd;
      }
      refusal = stat.isFile()
        ? new UnsafeFileError(
            file,
            'hard-linked',
            `${file} is a hard link shared with another file; ralph-tui does not append to it`,
          )
        : notRegular(file, kindOf(stat));
      fs.closeSync(fd);
    } catch (error) {
      if (fd !== null && !(error instanceof UnsafeFileError)) fs.closeSync(fd);
      const translated = error instanceof UnsafeFileError ? error : openError(error, file);
      if (!(translated instanceof UnsafeFileError)) throw fileSystemError(error, file) ?? translated;
      refusal = translated;
    }
    if (!options.private || attempt > 0 || refusal.reason === 'outside-workspace' || entry(file).kind === 'directory')
      throw refusal;
    fs.rmSync(file, { force: true });
    options.onReplaced?.(refusal);
  }
}

export interface AppendOptions {
  /** The supervisor's own file: 0600, and a hostile entry at the path is replaced instead of refused. */
  private?: boolean;
  /** Told when a hostile entry was replaced (so the caller can leave an event a person sees). */
  onReplaced?: (refusal: UnsafeFileError) => void;
}

/** Appends text in one write (O_APPEND: concurrent appenders never interleave a line). */
export function appendText(file: string, text: string | Uint8Array, options: AppendOptions = {}): void {
  const fd = openAppendSync(file, options);
  try {
    fs.writeSync(fd, typeof text === 'string' ? Buffer.from(text) : text);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A file kept open for appending (a transcript, an experiment's log), checked once at open like appendText, and
 * rotated when it passes `maxBytes`: the current file becomes `<file>.1` (the previous `.1` is dropped), so one
 * file never holds more than about 2 × maxBytes on disk.
 */
export class AppendFile {
  private fd: number | null = null;
  private size = 0;
  private failed = false;

  constructor(
    readonly file: string,
    private readonly options: AppendOptions & { maxBytes?: number; onError?: (error: Error) => void } = {},
  ) {
    this.open();
  }

  write(data: string | Uint8Array): void {
    if (this.fd === null) return;
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    try {
      if (this.options.maxBytes !== undefined && this.size > 0 && this.size + bytes.length > this.options.maxBytes)
        this.rotate();
      if (this.fd === null) return;
      fs.writeSync(this.fd, bytes);
      this.size += bytes.length;
    } catch (error) {
      this.fail(error as Error);
    }
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private open(): void {
    try {
      this.fd = openAppendSync(this.file, this.options);
      this.size = fs.fstatSync(this.fd).size;
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private rotate(): void {
    this.close();
    assertInsideWorkspace(this.file);
    // rename moves the entry itself: a link planted at <file>.1 is replaced, never written through.
    fs.renameSync(this.file, `${this.file}.1`);
    this.open();
  }

  private fail(error: Error): void {
    this.close();
    // A transcript that cannot be written must not take the supervisor down; report once.
    if (!this.failed) {
      this.failed = true;
      this.options.onError?.(error);
    }
  }
}

/** Renames an entry (a folder staged under a hidden name into place); rename moves links themselves. */
export function renameEntry(from: string, to: string): void {
  assertInsideWorkspace(from);
  assertInsideWorkspace(to);
  fs.renameSync(from, to);
}

/**
 * Creates one folder (not its parents) and tells whether it was new: false when something is already there. Other
 * failures (read-only, full, refused) are thrown naming the folder. A lock's probe for a writable folder uses it.
 */
export function makeDirOnce(dir: string): boolean {
  assertInsideWorkspace(dir);
  try {
    fs.mkdirSync(dir);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Removes an empty folder (rmdir never follows a link: a link there is an error). */
export function removeEmptyDir(dir: string): void {
  assertInsideWorkspace(dir);
  fs.rmdirSync(dir);
}

/** Removes a folder and what is in it; links inside are removed, never followed. */
export function removeTree(dir: string): void {
  assertInsideWorkspace(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Removes a file (the entry itself: unlink never follows a link). Not an error when it is absent. */
export function removeFile(file: string): void {
  assertInsideWorkspace(file);
  if (entry(file).kind === 'directory') throw notRegular(file, 'directory');
  fs.rmSync(file, { force: true });
}
