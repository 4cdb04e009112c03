// Writes a run's live status file from its progress events, atomically and throttled.
import os from 'node:os';
import path from 'node:path';
import { ensureDir, entry, listDir, removeFile, writeAtomic, writeAtomicSync } from '../../core/safe-fs.js';
import { pidNamespace, RUN_HEARTBEAT_MS, type RunProgressFile } from '../../orchestration/run-status.js';
import { leadingThrottle, type Throttle } from '../../core/throttle.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import type { ProgressEvent } from './output-line-parser.js';
import { progressPatch, type ProgressFields } from './run-fields.js';

export type RunEndState = Exclude<RunProgressFile['state'], 'running'>;

export interface RunStatusFileOptions {
  root: string;
  runId: string;
  name: string;
  worker?: string;
  /** At most one write per this many ms while samples finish (start and end are written at once). */
  minIntervalMs?: number;
  heartbeatMs?: number;
  keepLines?: number;
}

/**
 * The live status file of one run (`.ralph/progress/<run-id>.json`, see orchestration/run-status.ts):
 * fed with the run's progress events, written atomically, throttled on the leading edge with a trailing
 * write, rewritten every heartbeat while nothing changes (so a reader can tell a silent run from a live
 * one across containers), and finished by `end()`. If the process exits without `end()` (process.exit
 * elsewhere, an uncaught exception), a synchronous last write on 'exit' records it as failed or
 * cancelled: the file never claims "running" for a process that ended in a way Node can see.
 */
export class RunStatusFile {
  readonly file: string;
  private fields: ProgressFields = { done: 0, total: 0, elapsedSeconds: 0 };
  private readonly startedAt = new Date();
  private lines: string[] = [];
  /** Writes while events arrive: at most one per minIntervalMs, the last state always written. */
  private readonly writes: Throttle;
  private heartbeat: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private ended = false;
  private readonly keepLines: number;
  private readonly onExit = (code: number) =>
    this.endSync(code === 129 || code === 130 || code === 143 ? 'cancelled' : 'failed', code);

  constructor(private readonly options: RunStatusFileOptions) {
    this.file = workspacePaths(options.root).progressFile(options.runId);
    this.writes = leadingThrottle(() => this.flush(), options.minIntervalMs ?? 500, {
      leading: 'timer',
      now: Date.now,
    });
    this.keepLines = options.keepLines ?? 20;
    this.fields.startedAt = this.startedAt.getTime();
  }

  /** Writes the first "running" state and starts the heartbeat. */
  async start(): Promise<void> {
    ensureDir(path.dirname(this.file));
    pruneOldStatusFiles(path.dirname(this.file));
    process.on('exit', this.onExit);
    this.heartbeat = setInterval(() => this.writes.runNow(), this.options.heartbeatMs ?? RUN_HEARTBEAT_MS);
    this.heartbeat.unref();
    this.writes.runNow();
    await this.writing;
  }

  apply(event: ProgressEvent): void {
    if (this.ended) return;
    this.fields = { ...this.fields, ...progressPatch(event, this.fields) };
    this.schedule();
  }

  /** Output lines worth keeping (the last ones explain a failure); written with the next update. */
  addLines(lines: readonly string[]): void {
    const kept = lines.filter((line) => line.trim() !== '' && !line.trimStart().startsWith('{"type":'));
    if (kept.length) this.lines = [...this.lines, ...kept].slice(-this.keepLines);
  }

  /** Whether the run's own end line said it stopped early. */
  reportedIncomplete(): boolean {
    return this.fields.incomplete === true;
  }

  /** The final state; later events change nothing. Resolves once it is on disk. */
  async end(state: RunEndState, extra: { exitCode?: number; lines?: readonly string[] } = {}): Promise<void> {
    if (this.ended) return this.writing;
    if (extra.lines) this.addLines(extra.lines);
    this.stopTimers();
    const text = this.text(state, extra.exitCode);
    this.writing = this.writing.then(() => writeAtomic(this.file, text)).catch(() => undefined);
    await this.writing;
    process.off('exit', this.onExit);
  }

  private endSync(state: RunEndState, exitCode: number): void {
    if (this.ended) return;
    this.stopTimers();
    try {
      writeAtomicSync(this.file, this.text(state, exitCode));
    } catch {
      // The workspace went away: nothing left to tell.
    }
  }

  private stopTimers(): void {
    this.ended = true;
    this.writes.cancel();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private schedule(): void {
    if (!this.ended) this.writes.request();
  }

  /** Queues a write of the current "running" state (writes never overlap; the newest text wins). */
  private flush(): void {
    if (this.ended) return;
    this.writing = this.writing
      .then(() => (this.ended ? undefined : writeAtomic(this.file, this.text('running'))))
      // A full disk or a removed workspace must not end the experiment; the next write tries again.
      .catch(() => undefined);
  }

  private text(state: RunProgressFile['state'], exitCode?: number): string {
    const now = new Date();
    const f = this.fields;
    const running = state === 'running';
    const status: RunProgressFile = {
      run_id: this.options.runId,
      name: this.options.name,
      ...(this.options.worker ? { worker: this.options.worker } : {}),
      pid: process.pid,
      host: os.hostname(),
      ...(pidNamespace() ? { pid_ns: pidNamespace() } : {}),
      state,
      done: f.done,
      total: f.total,
      elapsed: round((now.getTime() - this.startedAt.getTime()) / 1000, 3),
      eta: running && f.etaSeconds !== undefined ? round(f.etaSeconds, 1) : null,
      running_score: f.runningScore ?? null,
      ...(f.score !== undefined ? { score: f.score } : {}),
      ...(f.against ? { against: f.against } : {}),
      projected_400_samples_min: f.projected400Min !== undefined ? round(f.projected400Min, 2) : null,
      ...(f.workers !== undefined ? { workers: f.workers } : {}),
      ...(f.resultFile ? { result_file: f.resultFile } : {}),
      ...(exitCode !== undefined ? { exit_code: exitCode } : {}),
      started_at: this.startedAt.toISOString(),
      updated_at: now.toISOString(),
      last_lines: this.lines,
    };
    return `${JSON.stringify(status, null, 2)}\n`;
  }
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** Status files untouched for a week go (a running run rewrites its own every heartbeat): one file per run would pile up forever. */
const PRUNE_AFTER_MS = 7 * 24 * 3600_000;

function pruneOldStatusFiles(dir: string): void {
  const cutoff = Date.now() - PRUNE_AFTER_MS;
  for (const { name } of listDir(dir)) {
    if (!name.endsWith('.json')) continue;
    const file = path.join(dir, name);
    try {
      const found = entry(file);
      if (found.kind !== 'directory' && found.mtimeMs < cutoff) removeFile(file);
    } catch {
      // Removed by another run's prune meanwhile.
    }
  }
}

/**
 * The id a run's status file is named by: RALPH_RUN_ID when the screen's runner started it (so the screen
 * shows it once), else the run's own id.
 */
export function statusRunId(ownId: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = env.RALPH_RUN_ID;
  return given && /^[A-Za-z0-9_.-]{1,120}$/.test(given) ? given : ownId;
}

/** Who ran it: `--log W1`, else the agent the process belongs to (RALPH_AGENT_ID). */
export function statusWorker(log: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return log ?? (env.RALPH_AGENT_ID || undefined);
}
