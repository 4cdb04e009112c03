// Watches the Claude Code hook status files and keeps the last readable report per agent.
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { ensureDir, readText, UnsafeFileError } from '../../core/safe-fs.js';
import { HookStatus, interpretHookStatus } from './agent-state.js';

/** A hook status file is one small JSON object. */
const STATUS_MAX_BYTES = 64 * 1024;

export type HookReport = { state: 'working' | 'idle' | 'needs-input'; time: number };

/**
 * Watches `.ralph/status/<id>.json` (written by Claude Code hooks in the agent's container or process) and keeps
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
    this.watcher = watch(this.dir, { depth: 0, ignoreInitial: false, followSymlinks: false });
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
    const match = /^(W\d+)\.json$/.exec(path.basename(file));
    if (!match) return;
    let report: HookReport | null = null;
    try {
      const parsed = HookStatus.safeParse(JSON.parse(readText(file, { maxBytes: STATUS_MAX_BYTES }) ?? ''));
      report = parsed.success ? interpretHookStatus(parsed.data) : null;
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
