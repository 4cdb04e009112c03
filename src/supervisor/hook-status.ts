import fs from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { HookStatus, interpretHookStatus, type HookState } from './agent-state.js';

export type HookReport = { state: HookState; time: number };

/** A report is a few dozen bytes; anything bigger is not one (and is never read whole). */
const MAX_STATUS_BYTES = 4096;

/**
 * Reads an agent-written status file without trusting it: no symlink is followed, only a regular file is read, the
 * open never blocks (a FIFO in its place), and at most MAX_STATUS_BYTES are read. Null when it is not a report.
 */
export function readStatusFile(file: string): HookReport | null {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_STATUS_BYTES) return null;
    const buffer = Buffer.alloc(MAX_STATUS_BYTES);
    const length = fs.readSync(fd, buffer, 0, MAX_STATUS_BYTES, 0);
    const parsed = HookStatus.safeParse(JSON.parse(buffer.subarray(0, length).toString('utf8')));
    return parsed.success ? interpretHookStatus(parsed.data) : null;
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Watches `.ralph/agents/<id>/status.json` (written by Claude Code hooks in the agent's container or process) and keeps
 * the last readable report per agent. A half-written or malformed file keeps the previous report: the screen
 * rules remain the fallback.
 */
export class HookStatusWatcher {
  private readonly reports = new Map<string, HookReport>();
  private watcher: FSWatcher | null = null;

  constructor(
    private readonly dir: string,
    private readonly onChange: (agentId: string) => void,
  ) {}

  async start(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    // One level down: each agent writes only inside its own folder (a container sees no other).
    this.watcher = watch(this.dir, { depth: 1, ignoreInitial: false });
    this.watcher.on('add', (file) => this.read(file));
    this.watcher.on('change', (file) => this.read(file));
    await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
  }

  get(agentId: string): HookReport | null {
    return this.reports.get(agentId) ?? null;
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    this.watcher = null;
  }

  private read(file: string): void {
    const match = /^(W\d+)$/.exec(path.basename(path.dirname(file)));
    if (!match || path.basename(file) !== 'status.json') return;
    const report = readStatusFile(file);
    if (!report) return;
    this.reports.set(match[1], report);
    this.onChange(match[1]);
  }
}
