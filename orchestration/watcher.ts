// Watches the shared files and publishes an immutable snapshot of the workspace on every change.
import { plainDeep } from '../core/plain-text.js';
import { entryAsync } from '../core/safe-fs.js';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { leadingThrottle, type Throttle } from '../core/throttle.js';
import { workspacePaths } from '../core/workspace-paths.js';
import { coordinationFromDocument, type CoordinationView } from './coordination.js';
import type { ExperimentStateView } from './experiment-state.js';
import { parseLogEntries, type LogEntry } from './log-entry.js';
import type { RunProgressView } from './run-status.js';
import { tailLines } from './log-tail.js';
import { queueFile, queueViewOf, emptyCounts, type QueueView } from './queue-view.js';
import { stopState, type StopState } from './stop-file.js';
import { ExperimentStates, readView, RunFiles, type WatchErrors } from './watch-reads.js';

export interface WatchError {
  file: string;
  message: string;
}

/** An immutable picture of the shared files; a new object on every change. */
export interface WorkspaceSnapshot {
  /** null only until the queue has been read successfully once. */
  queue: QueueView | null;
  coordination: CoordinationView | null;
  stop: StopState;
  log: { entries: LogEntry[]; lines: string[] };
  experiments: ExperimentStateView[];
  /**
   * Live `ralph-tui run`s from .ralph/progress/ (whoever started them), newest first: every running one and
   * the latest finished ones. A file still saying "running" whose process is gone (same host) or that went
   * silent shows as "interrupted".
   */
  runs: RunProgressView[];
  /** Files that currently fail to parse; the views above keep their last good state. */
  errors: WatchError[];
  version: number;
}

export interface WorkspaceWatcherOptions {
  /** Poll instead of file-system events (bind mounts that deliver none, e.g. Docker Desktop). */
  poll?: boolean;
  /** Polling interval. */
  intervalMs?: number;
  /** At most one refresh per this many ms while files keep changing (leading edge + trailing flush). */
  throttleMs?: number;
  /** Lines of ITERATION_LOG.md kept in the snapshot. */
  logLines?: number;
  /** ralph.config.json's targetScore: the target when coordination.json names none. */
  configTarget?: number;
}

const SAFETY_RECHECK_MS = 2_000;

type Part = 'queue' | 'coordination' | 'stop' | 'log' | 'experiments' | 'runs';
const ALL_PARTS: Part[] = ['queue', 'coordination', 'stop', 'log', 'experiments', 'runs'];

/**
 * Watches orchestration/shared/, ITERATION_LOG.md, experiments/ and .ralph/progress/ (chokidar 4, which runs on
 * Node 20) and keeps a typed snapshot. Refreshes are throttled on the leading edge with a
 * trailing flush: a trailing debounce never fires while agents write continuously
 * (ARCHITECTURE.md, measured pitfalls). A file that fails to parse (after the reader's brief
 * retries) is reported in `errors` while the last good view is kept.
 */
export class WorkspaceWatcher {
  private readonly paths;
  private readonly options: Required<Omit<WorkspaceWatcherOptions, 'configTarget'>> &
    Pick<WorkspaceWatcherOptions, 'configTarget'>;
  private snapshot: WorkspaceSnapshot;
  private readonly listeners = new Set<() => void>();
  private watcher: FSWatcher | null = null;
  private dirty = new Set<Part>();
  private readonly errors: WatchErrors = new Map();
  private readonly experiments: ExperimentStates;
  private readonly runFiles: RunFiles;
  /** Re-reads of the dirty parts: at most one per throttleMs while files keep changing. */
  private readonly refreshes: Throttle;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;
  private signatures = new Map<string, string>();
  private recheckTimer: NodeJS.Timeout | null = null;
  private safetyTimer: NodeJS.Timeout | null = null;
  private rootExisted = false;

  constructor(
    readonly root: string,
    options: WorkspaceWatcherOptions = {},
  ) {
    this.paths = workspacePaths(root);
    this.experiments = new ExperimentStates(this.paths, this.errors);
    this.runFiles = new RunFiles(this.paths.progress, this.errors);
    this.options = { poll: false, intervalMs: 500, throttleMs: 100, logLines: 400, ...options };
    this.refreshes = leadingThrottle(
      () => {
        this.flushing = this.flushing.then(() => this.flush());
      },
      this.options.throttleMs,
      // On a timer even when no wait is due: the events of one burst of file changes land in one re-read.
      { leading: 'timer', now: Date.now },
    );
    this.snapshot = Object.freeze({
      queue: null,
      coordination: null,
      stop: { present: false, targetReached: false },
      log: { entries: [], lines: [] },
      experiments: [],
      runs: [],
      errors: [],
      version: 0,
    });
  }

  getSnapshot = (): WorkspaceSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  async start(): Promise<void> {
    await this.watch();
    for (const part of ALL_PARTS) this.dirty.add(part);
    await this.flushNow();
    // A slow safety net on top of the events: catches anything chokidar missed, and a workspace
    // folder created after the watcher started (chokidar cannot watch a folder that is not there).
    this.safetyTimer = setInterval(() => void this.recheck(), SAFETY_RECHECK_MS);
    this.safetyTimer.unref();
  }

  private async watch(): Promise<void> {
    this.rootExisted = await entryAsync(this.root).then(
      (found) => found.kind === 'directory',
      () => false,
    );
    const watcher = watch(this.root, {
      ignoreInitial: true,
      // A folder an agent links to / would be watched (and walked) on the host: links are not followed.
      followSymlinks: false,
      usePolling: this.options.poll,
      interval: this.options.intervalMs,
      depth: 3,
      ignored: (file) => !this.relevant(file),
    });
    watcher.on('all', (_event, file) => this.onChange(file));
    watcher.on('error', () => undefined);
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    if (this.closed) await watcher.close();
    else this.watcher = watcher;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.refreshes.cancel();
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    if (this.safetyTimer) clearInterval(this.safetyTimer);
    this.recheckTimer = null;
    this.safetyTimer = null;
    await this.watcher?.close();
    this.watcher = null;
    await this.flushing;
  }

  /** Re-reads everything now (e.g. after the screen regains focus). */
  async refresh(): Promise<void> {
    for (const part of ALL_PARTS) this.dirty.add(part);
    await this.flushNow();
  }

  private relevant(file: string): boolean {
    const rel = path.relative(this.root, file).split(path.sep).join('/');
    if (rel === '' || rel === 'orchestration' || rel === 'ITERATION_LOG.md' || rel === 'experiments') return true;
    if (rel === 'orchestration/shared' || rel === '.ralph' || rel === '.ralph/progress') return true;
    if (rel.startsWith('.ralph/')) return /^\.ralph\/progress\/[^/]+\.json$/.test(rel);
    if (rel.startsWith('orchestration/shared/')) return !rel.startsWith('orchestration/shared/.locks');
    return /^experiments\/[^/]+(\/STATE\.json)?$/.test(rel);
  }

  private onChange(file: string): void {
    const rel = path.relative(this.root, file).split(path.sep).join('/');
    const base = path.basename(file);
    if (rel === 'ITERATION_LOG.md') this.dirty.add('log');
    else if (rel.startsWith('.ralph')) {
      this.dirty.add('runs');
      if (rel.endsWith('.json')) this.runFiles.markDirty(file);
    } else if (rel.startsWith('experiments')) {
      this.dirty.add('experiments');
      this.experiments.markDirty(rel.split('/')[1]);
    } else if (base === 'experiment_queue.json' || base === 'queue.json') this.dirty.add('queue');
    else if (base === 'coordination.json' || /^state_W\d+\.json$/.test(base)) {
      this.dirty.add('coordination');
      this.dirty.add('stop'); // targetReached depends on the best score
    } else if (base === 'STOP') this.dirty.add('stop');
    else if (rel === 'orchestration/shared' || rel === 'orchestration')
      for (const part of ['queue', 'coordination', 'stop'] as const) this.dirty.add(part);
    else return;
    this.schedule();
  }

  private schedule(): void {
    if (!this.closed) this.refreshes.request();
  }

  private flushNow(): Promise<void> {
    this.refreshes.runNow();
    return this.flushing;
  }

  private async flush(): Promise<void> {
    if (this.dirty.size === 0 || this.closed) return;
    const parts = this.dirty;
    this.dirty = new Set();
    // Signatures taken before reading: a write that lands during the read shows up as a change.
    const signatures = await this.readSignatures();
    const next: WorkspaceSnapshot = { ...this.snapshot };
    if (parts.has('queue'))
      next.queue = await readView(
        queueFile(this.root).file,
        (doc) =>
          doc
            ? queueViewOf(doc.data, queueFile(this.root).file)
            : { format: 'missing', file: null, entries: [], counts: emptyCounts() },
        next.queue,
        this.errors,
      );
    if (parts.has('coordination'))
      next.coordination = await readView(
        this.paths.coordination,
        (doc) => coordinationFromDocument(this.root, doc, this.options.configTarget),
        next.coordination,
        this.errors,
      );
    if (parts.has('stop')) next.stop = stopState(this.root, next.coordination);
    if (parts.has('log')) {
      try {
        const lines = await tailLines(this.paths.iterationLog, this.options.logLines);
        next.log = { lines, entries: parseLogEntries(lines.join('\n')) };
        this.errors.delete(this.paths.iterationLog);
      } catch (error) {
        this.errors.set(this.paths.iterationLog, `cannot read ${this.paths.iterationLog}: ${(error as Error).message}`);
      }
    }
    if (parts.has('experiments')) next.experiments = await this.experiments.read();
    if (parts.has('runs')) next.runs = await this.runFiles.read();
    next.errors = [...this.errors].map(([file, message]) => ({ file, message }));
    next.version = this.snapshot.version + 1;
    // The snapshot is what the screen shows: text agents wrote arrives without escape sequences (parts not
    // re-read are already plain, and plainDeep returns clean objects as they are).
    this.snapshot = Object.freeze(plainDeep(next));
    // Only files whose part was re-read count as seen; a change to another one stays pending.
    for (const [file, signature] of signatures) if (parts.has(this.partOf(file))) this.signatures.set(file, signature);
    this.scheduleRecheck();
    for (const listener of this.listeners) listener();
  }

  /**
   * chokidar 4 can drop the change event of the last of several quick writes to one file
   * (measured: 5 appends 15 ms apart gave 2 events, the last write unseen). So a short while after
   * every refresh the watched files are stat'ed once more and any that changed are re-read.
   */
  private scheduleRecheck(): void {
    if (this.recheckTimer || this.closed) return;
    this.recheckTimer = setTimeout(
      () => {
        this.recheckTimer = null;
        void this.recheck();
      },
      Math.max(200, this.options.throttleMs * 2),
    );
  }

  private async recheck(): Promise<void> {
    if (this.closed) return;
    if (
      !this.rootExisted &&
      (await entryAsync(this.root).then(
        (found) => found.kind === 'directory',
        () => false,
      )) &&
      !this.closed &&
      !this.rootExisted
    ) {
      this.rootExisted = true; // claimed before the awaits below: concurrent rechecks re-watch once
      await this.watcher?.close();
      await this.watch();
    }
    const now = await this.readSignatures();
    for (const [file, signature] of now) {
      if (this.signatures.get(file) === signature) continue;
      this.onChange(file);
    }
    // A run's process can die without a word (SIGKILL, a container removed): judge the running ones again.
    if (this.runFiles.anyDied()) {
      this.dirty.add('runs');
      this.schedule();
    }
  }

  private partOf(file: string): Part {
    const paths = this.paths;
    if (file === paths.queue || file === paths.legacyQueue) return 'queue';
    if (file === paths.coordination) return 'coordination';
    if (file === paths.stop) return 'stop';
    if (file === paths.iterationLog) return 'log';
    if (file === paths.progress || file.startsWith(paths.progress + path.sep)) return 'runs';
    return 'experiments';
  }

  private trackedFiles(): string[] {
    const paths = this.paths;
    // The progress folder's mtime changes when a run's file appears; only running runs' files change after that.
    return [
      paths.queue,
      paths.legacyQueue,
      paths.coordination,
      paths.stop,
      paths.iterationLog,
      ...this.experiments.stateFiles(),
      paths.progress,
      ...this.runFiles.runningFiles(),
    ];
  }

  private async readSignatures(): Promise<Map<string, string>> {
    const files = this.trackedFiles();
    const stats = await Promise.all(files.map((file) => entryAsync(file).catch(() => null)));
    return new Map(
      files.map((file, i) => [
        file,
        stats[i] && stats[i]!.kind !== 'missing'
          ? `${stats[i]!.kind}:${stats[i]!.ino}:${stats[i]!.size}:${stats[i]!.mtimeMs}`
          : 'missing',
      ]),
    );
  }
}
