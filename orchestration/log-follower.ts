// Follows ITERATION_LOG.md like `tail -F`, emitting new lines and resets when the file is replaced.
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { entry, entryAsync, openRead } from '../core/safe-fs.js';

export interface LogFollowerOptions {
  /** Poll instead of using file-system events (bind mounts that deliver none, e.g. Docker Desktop). */
  poll?: boolean;
  intervalMs?: number;
  /** Start at the current end of the file (default) or at its beginning. */
  fromStart?: boolean;
}

/** The most one check reads (a tail of the new bytes); the screen shows the last few entries anyway. */
const MAX_READ = 4 * 1024 * 1024;

type LinesListener = (lines: string[]) => void;

/**
 * Follows a growing text file (ITERATION_LOG.md) like `tail -F`: emits complete new lines as
 * they are appended, and a reset when the file is truncated, deleted, or replaced by rename
 * (another inode). Reads only the appended bytes, so following costs O(appended), not O(file).
 *
 * Uses node:fs directly rather than chokidar: chokidar 4 dropped the change event of the last of
 * several appends 15 ms apart (measured here), which would leave a log line unseen until the next
 * write. fs.watch on the folder reports every write and every rename; fs.watchFile polls.
 */
export class LogFollower {
  private offset = 0;
  private inode: number | null = null;
  private remainder = Buffer.alloc(0);
  private watcher: fs.FSWatcher | null = null;
  private polling = false;
  private checking: Promise<void> | null = null;
  private again = false;
  private readonly lineListeners = new Set<LinesListener>();
  private readonly resetListeners = new Set<() => void>();

  constructor(
    readonly file: string,
    private readonly options: LogFollowerOptions = {},
  ) {}

  /** New complete lines, in order (without their newlines). */
  onLines(listener: LinesListener): () => void {
    this.lineListeners.add(listener);
    return () => this.lineListeners.delete(listener);
  }

  /** The file was truncated, removed or replaced: the lines seen so far are no longer in it. */
  onReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  async start(): Promise<void> {
    if (!this.options.fromStart) {
      const stat = await entryAsync(this.file).catch(() => null);
      if (stat && stat.kind === 'file') {
        this.offset = stat.size;
        this.inode = stat.ino;
      }
    }
    if (this.options.poll || entry(path.dirname(this.file)).kind !== 'directory') {
      fs.watchFile(this.file, { interval: this.options.intervalMs ?? 250 }, () => void this.check());
      this.polling = true;
    } else {
      const base = path.basename(this.file);
      this.watcher = fs.watch(path.dirname(this.file), (_event, name) => {
        if (name === null || name === base) void this.check();
      });
      this.watcher.on('error', () => undefined);
    }
    await this.check();
  }

  async close(): Promise<void> {
    this.watcher?.close();
    this.watcher = null;
    if (this.polling) fs.unwatchFile(this.file);
    this.polling = false;
    await this.checking;
  }

  /** Reads whatever changed since the last check. Concurrent calls coalesce into one more pass. */
  check(): Promise<void> {
    if (this.checking) {
      this.again = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.again = false;
        await this.readNew();
      } while (this.again);
    })().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private reset(): void {
    this.offset = 0;
    this.remainder = Buffer.alloc(0);
    for (const listener of this.resetListeners) listener();
  }

  private async readNew(): Promise<void> {
    let handle: FileHandle | null;
    try {
      // A link or pipe in place of the log reads as no log (the follower is a view; `log tail` reports it).
      handle = await openRead(this.file);
    } catch {
      handle = null;
    }
    if (!handle) {
      if (this.inode !== null || this.offset > 0) {
        this.inode = null;
        this.reset();
      }
      return;
    }
    try {
      const stat = await handle.stat();
      if ((this.inode !== null && stat.ino !== this.inode) || stat.size < this.offset) this.reset();
      this.inode = stat.ino;
      if (stat.size === this.offset) return;
      // A log that grew by gigabytes at once is not read whole: the last MAX_READ bytes are what a person sees.
      if (stat.size - this.offset > MAX_READ) {
        this.offset = stat.size - MAX_READ;
        this.remainder = Buffer.alloc(0);
      }
      const length = stat.size - this.offset;
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, this.offset);
      this.offset += bytesRead;
      const data = this.remainder.length
        ? Buffer.concat([this.remainder, buffer.subarray(0, bytesRead)])
        : buffer.subarray(0, bytesRead);
      const lastNewline = data.lastIndexOf(10);
      if (lastNewline < 0) {
        this.remainder = Buffer.from(data);
        return;
      }
      // Keep a partial last line (and any split UTF-8 sequence) for the next read.
      this.remainder = Buffer.from(data.subarray(lastNewline + 1));
      const lines = data
        .subarray(0, lastNewline)
        .toString('utf8')
        .split('\n')
        .map((line) => line.replace(/\r$/, ''));
      for (const listener of this.lineListeners) listener(lines);
    } finally {
      await handle.close();
    }
  }
}
