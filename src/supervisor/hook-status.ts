// Watches the Claude Code hook status files and keeps the last readable report per agent.
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { ensureDir, readText, UnsafeFileError } from '../../core/safe-fs.js';
import { HookStatus, interpretHookStatus, type HookState } from './agent-state.js';

export type HookReport = { state: HookState; time: number };

/** A report is a few dozen bytes; anything bigger is not one (and is never read whole). */
const MAX_STATUS_BYTES = 4096;

/**
 * Reads an agent-written status file through the safe file layer: no link followed, regular files only, never
 * blocking on a FIFO, at most MAX_STATUS_BYTES. Null when there is no valid report; throws UnsafeFileError for a
 * file that is refused, so the watcher can say so once.
 */
function parseStatusFile(file: string): HookReport | null {
  const text = readText(file, { maxBytes: MAX_STATUS_BYTES });
  if (text === null) return null;
  const parsed = HookStatus.safeParse(JSON.parse(text));
  return parsed.success ? interpretHookStatus(parsed.data) : null;
}

/** The report in an agent's status file, or null when it is missing, refused, malformed or not a report. */
export function readStatusFile(file: string): HookReport | null {
  try {
    return parseStatusFile(file);
  } catch {
    return null;
  }
}

/**
 * Watches `.ralph/agents/<id>/status.json` (written by Claude Code hooks in the agent's container or process) and keeps
 * the last readable report per agent. A half-written or malformed file keeps the previous report: the screen
 * rules remain the fallback.
 */
export class HookStatusWatcher {
  private readonly reports = new Map<string, HookReport>();
  private readonly refused = new Set<string>();
  private watcher: FSWatcher | null = null;

  constructor(
    private readonly dir: string,
    private readonly onChange: (agentId: string) => void,
    /** A status file that is a link, a pipe or huge: said once per file, and the screen rules take over. */
    private readonly onRefused: (reason: string) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    ensureDir(this.dir, { private: true });
    // One level down: each agent writes only inside its own folder (a container sees no other).
    this.watcher = watch(this.dir, { depth: 1, ignoreInitial: false, followSymlinks: false });
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
    let report: HookReport | null = null;
    try {
      report = parseStatusFile(file);
      this.refused.delete(file);
    } catch (error) {
      if (error instanceof UnsafeFileError && !this.refused.has(file)) {
        this.refused.add(file);
        this.onRefused(`hook status ignored: ${error.message}`);
      }
      return;
    }
    if (!report) return;
    this.reports.set(match[1], report);
    this.onChange(match[1]);
  }
}
