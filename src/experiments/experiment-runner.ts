// Runs experiments started from the screen as child processes and publishes a snapshot of each run.
import os from 'node:os';
import path from 'node:path';
import { cliPath } from '../cli-path.js';
import { execa, type ResultPromise } from 'execa';
import { plainDeep, plainText } from '../../core/plain-text.js';
import { StreamRedactor } from '../../core/redact.js';
import { AppendFile, ensureDir } from '../../core/safe-fs.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { childEnvironment } from '../child-env.js';
import { LineSplitter } from './line-splitter.js';
import { parseProgressLine } from './output-line-parser.js';
import { progressPatch, type ProgressFields } from './run-fields.js';
import { newRunId } from './run-id.js';

export type ExperimentRunState = 'queued' | 'running' | 'finished' | 'failed' | 'cancelled';

/** An immutable picture of one run, for the screen (a new object whenever something changed). */
export interface ExperimentRunView extends ProgressFields {
  id: string;
  name: string;
  command: string;
  state: ExperimentRunState;
  finishedAt?: number;
  exitCode?: number;
  /** The last lines of output (for a failed run: why it failed). */
  lastLines: string[];
  logFile: string;
}

export interface ExperimentRunnerOptions {
  workspace: string;
  /** Where full output goes; default `.ralph/runs/`. */
  logDir?: string;
  /** Runs beyond this many wait in state "queued". Default: no limit. */
  maxConcurrent?: number;
  /** SIGTERM, then SIGKILL after this long (ms). Default 5000. */
  graceMs?: number;
  /** How many output lines a view keeps. Default 20. */
  keepLines?: number;
  /** Host variables children get besides the allow-list (the config's passEnv). */
  passEnv?: readonly string[];
  /** Values masked in the run logs (the config's secrets). */
  secrets?: readonly string[];
  /**
   * Runs `ralph-tui <args>` somewhere other than this host's Node (a Docker workspace: a sandboxed container).
   * Default: this install's CLI with this Node.
   */
  sandbox?: (name: string, cliArgs: string[]) => { command: string[]; env?: Record<string, string> };
}

/** A run's log rotates at this size into `<id>.log.1`. */
const RUN_LOG_MAX_BYTES = 16 * 1024 * 1024;

export interface StartOptions {
  name: string;
  /** A shell command line, or [file, ...args] run without a shell. */
  command: string | string[];
  cwd?: string;
  env?: Record<string, string>;
  /** The run's id when the caller chose it (a screen names the run it asks the service for); else a new one. */
  id?: string;
}

interface Run {
  view: ExperimentRunView;
  start: StartOptions;
  child?: ResultPromise;
  log?: AppendFile;
  cancelRequested: boolean;
  exited: Promise<void>;
  markExited: () => void;
}

/**
 * Runs experiment commands as child processes and turns their output into live progress. Each child
 * gets no stdin and its own process group, so cancelling (SIGTERM, then SIGKILL after a grace period)
 * also reaches grandchildren such as `uv run python` → python → multiprocessing workers.
 */
export class ExperimentRunner {
  private readonly runs = new Map<string, Run>();
  private readonly listeners = new Set<() => void>();
  private snapshot: ExperimentRunView[] = [];
  private counter = 0;
  private readonly logDir: string;
  private readonly maxConcurrent: number;
  private readonly graceMs: number;
  private readonly keepLines: number;
  private readonly onProcessExit = () => this.killAllNow();

  constructor(private readonly options: ExperimentRunnerOptions) {
    this.logDir = options.logDir ?? workspacePaths(options.workspace).runs;
    this.maxConcurrent = options.maxConcurrent ?? Number.POSITIVE_INFINITY;
    this.graceMs = options.graceMs ?? 5_000;
    this.keepLines = options.keepLines ?? 20;
    // Experiments are detached (own process group), so nothing kills them if the supervisor dies.
    process.on('exit', this.onProcessExit);
  }

  /** Starts (or queues) a command; returns the run id, which also names its log file. */
  start(start: StartOptions): string {
    const id = start.id !== undefined && !this.runs.has(start.id) ? start.id : this.newId(start.name);
    const command = Array.isArray(start.command) ? start.command.join(' ') : start.command;
    let markExited!: () => void;
    const exited = new Promise<void>((resolve) => (markExited = resolve));
    const run: Run = {
      start,
      cancelRequested: false,
      exited,
      markExited,
      view: {
        id,
        name: start.name,
        command,
        state: 'queued',
        done: 0,
        total: 0,
        elapsedSeconds: 0,
        lastLines: [],
        logFile: path.join(this.logDir, `${id}.log`),
      },
    };
    this.runs.set(id, run);
    this.pump();
    this.publish();
    return id;
  }

  /**
   * Runs a workspace or built-in experiment through `ralph-tui run NAME --progress json`. With a sandbox the run is
   * confined to its container, so whatever command the workspace names runs there. Without one it runs on this
   * host: `command` is the command a person confirmed (none: the run may execute no command at all), so an
   * experiment.json rewritten after the confirmation is refused instead of run.
   */
  startBuiltin(name: string, opts: { workers?: number; command?: string; id?: string } = {}): string {
    const args = ['run', name, '--progress', 'json'];
    if (!this.options.sandbox || opts.command !== undefined) args.push('--expect-command', opts.command ?? '');
    if (opts.workers !== undefined) args.push('--workers', String(opts.workers));
    if (this.options.sandbox) {
      const sandboxed = this.options.sandbox(name, args);
      return this.start({
        name,
        command: sandboxed.command,
        env: sandboxed.env,
        cwd: this.options.workspace,
        id: opts.id,
      });
    }
    return this.start({
      name,
      id: opts.id,
      command: [process.execPath, cliPath, '--workspace', this.options.workspace, ...args],
      cwd: this.options.workspace,
    });
  }

  /** Stops a run: SIGTERM to its process group, SIGKILL after the grace period; resolves once it is gone. */
  async cancel(id: string): Promise<void> {
    const run = this.runs.get(id);
    if (!run) return;
    if (run.view.state === 'queued') {
      this.update(run, { state: 'cancelled', finishedAt: Date.now() });
      run.markExited();
      this.publish();
      return;
    }
    if (run.view.state !== 'running') return;
    run.cancelRequested = true;
    const pid = run.child?.pid;
    if (pid === undefined) return run.exited;
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + this.graceMs;
    await Promise.race([run.exited, delay(this.graceMs)]);
    // The direct child may be gone while grandchildren linger in the group: wait for them too.
    while (groupAlive(pid) && Date.now() < deadline) await delay(50);
    if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
    await run.exited;
  }

  getSnapshot(): ExperimentRunView[] {
    return this.snapshot;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Cancels every run and waits for them to end. */
  async dispose(): Promise<void> {
    await Promise.all([...this.runs.keys()].map((id) => this.cancel(id)));
    process.off('exit', this.onProcessExit);
    this.listeners.clear();
  }

  private newId(name: string): string {
    return newRunId(name, ++this.counter);
  }

  private pump(): void {
    let running = [...this.runs.values()].filter((run) => run.view.state === 'running').length;
    for (const run of this.runs.values()) {
      if (running >= this.maxConcurrent) return;
      if (run.view.state !== 'queued') continue;
      this.launch(run);
      running++;
    }
  }

  private launch(run: Run): void {
    const { start } = run;
    ensureDir(this.logDir, { private: true });
    const log = new AppendFile(run.view.logFile, { private: true, maxBytes: RUN_LOG_MAX_BYTES });
    log.write(`$ ${run.view.command}\n`);
    run.log = log;
    const options = {
      cwd: start.cwd ?? this.options.workspace,
      // A `ralph-tui run` child names its live status file (.ralph/progress/) after this id, so the screen
      // shows the run once, not once from here and once from the file.
      // Not the host's whole environment: an allow-list plus the configured passEnv names.
      env: {
        ...childEnvironment(this.options.passEnv ?? []),
        ...start.env,
        FORCE_COLOR: '0',
        RALPH_RUN_ID: run.view.id,
      },
      extendEnv: false,
      stdin: 'ignore',
      detached: true,
      buffer: false,
      reject: false,
      // We signal the whole group ourselves; execa's own kill only reaches the direct child.
      forceKillAfterDelay: false,
    } as const;
    const child = Array.isArray(start.command)
      ? execa(start.command[0], start.command.slice(1), options)
      : execa(start.command, { ...options, shell: true });
    run.child = child;
    const startedAt = Date.now();
    this.update(run, { state: 'running', startedAt });
    for (const stream of [child.stdout, child.stderr]) {
      const splitter = new LineSplitter();
      // One redactor per stream: a secret split across two reads of the same stream is still masked in the log.
      const redactor = new StreamRedactor(this.options.secrets ?? []);
      stream?.on('data', (chunk: Buffer) => {
        log.write(redactor.push(chunk));
        this.onLines(run, splitter.push(chunk));
      });
      stream?.on('end', () => {
        log.write(redactor.flush());
        this.onLines(run, splitter.flush());
      });
    }
    void child.then((result) => {
      const exitCode = result.exitCode ?? (result.signal ? 128 + signalNumber(result.signal) : 1);
      log.write(`\n[exit ${result.exitCode ?? result.signal ?? '?'}]\n`);
      log.close();
      const state: ExperimentRunState = run.cancelRequested ? 'cancelled' : exitCode === 0 ? 'finished' : 'failed';
      const finishedAt = Date.now();
      // A command that never started (not found, bad cwd) printed nothing: say why instead.
      const lastLines =
        result.exitCode === undefined && !result.signal && result.failed
          ? [...run.view.lastLines, result.shortMessage ?? `could not start ${run.view.command}`].slice(-this.keepLines)
          : run.view.lastLines;
      this.update(run, {
        state,
        exitCode,
        finishedAt,
        lastLines,
        elapsedSeconds: (finishedAt - startedAt) / 1000,
        etaSeconds: state === 'finished' ? 0 : undefined,
      });
      run.markExited();
      this.pump();
      this.publish();
    });
  }

  private onLines(run: Run, lines: string[]): void {
    if (lines.length === 0) return;
    const patch: Partial<ExperimentRunView> = {};
    for (const line of lines) {
      const event = parseProgressLine(line);
      if (event) Object.assign(patch, progressPatch(event, { ...run.view, ...patch }));
    }
    // The output of a command is shown on the screen: without escape sequences (a progress bar's \r included).
    const shown = lines
      .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('{"type":'))
      .map((line) => plainText(line));
    const lastLines = shown.length ? [...run.view.lastLines, ...shown].slice(-this.keepLines) : run.view.lastLines;
    const elapsedSeconds = run.view.startedAt ? (Date.now() - run.view.startedAt) / 1000 : 0;
    this.update(run, { ...plainDeep(patch), lastLines, elapsedSeconds: patch.elapsedSeconds ?? elapsedSeconds });
    this.publish();
  }

  private update(run: Run, patch: Partial<ExperimentRunView>): void {
    run.view = { ...run.view, ...patch };
    for (const key of Object.keys(run.view) as Array<keyof ExperimentRunView>)
      if (run.view[key] === undefined) delete run.view[key];
  }

  private publish(): void {
    this.snapshot = [...this.runs.values()].map((run) => run.view);
    for (const listener of this.listeners) listener();
  }

  /** Last resort on process exit (synchronous): no experiment outlives the supervisor. */
  private killAllNow(): void {
    for (const run of this.runs.values()) {
      if (run.view.state === 'running' && run.child?.pid !== undefined) signalGroup(run.child.pid, 'SIGKILL');
    }
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalNumber(signal: string): number {
  return (os.constants.signals as Record<string, number>)[signal] ?? 15;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
