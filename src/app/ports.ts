// The structural types the screen needs from the supervisor, workspace watcher and experiment runner.
import type { Terminal } from '@xterm/headless';

/**
 * What the screen needs from the services that own processes and files (supervisor, workspace watcher,
 * experiment runner). Written as structural types so the app depends on behaviour, not on modules: the real
 * Supervisor / WorkspaceWatcher / ExperimentRunner satisfy them, and `run-app.tsx` is where that is checked.
 */
export interface ExternalSource<T> {
  getSnapshot(): T;
  subscribe(listener: () => void): () => void;
}

export type AgentState =
  'starting' | 'working' | 'idle' | 'needs-input' | 'needs-login' | 'exited' | 'restarting' | 'stopped';

export interface AgentStatsView {
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
}

export interface AgentView {
  id: string;
  role: string;
  runtime: string;
  state: AgentState;
  exitCode?: number;
  restarts: number;
  since?: number | string;
  containerName?: string;
  cpuset?: string;
  stats?: AgentStatsView;
  lastEvent?: unknown;
  unconfined?: boolean;
  problem?: string;
}

export interface SupervisorSnapshotView {
  agents: AgentView[];
  draining: string[];
  stopping: boolean;
  version: number;
}

export interface AgentSessionPort {
  terminal: Terminal;
  onOutput(listener: () => void): () => void;
  bracketedPaste: boolean;
}

export interface SupervisorPort extends ExternalSource<SupervisorSnapshotView> {
  agentIds(): string[];
  session(id: string): AgentSessionPort;
  write(id: string, data: string): void;
  /**
   * The panes the screen shows now. A service sends live output only for these (each agent's output is parsed
   * once more in the screen's copy: hidden panes would cost that for nothing); a hidden pane's copy is rebuilt
   * when it is shown again.
   */
  showing?(ids: readonly string[]): void;
  resize(id: string, cols: number, rows: number): void;
  restart(id: string): Promise<void>;
  nudge(id: string): void;
  stopGraceful(): Promise<void>;
  stopForced(): Promise<void>;
  /** Lifts a stop, graceful or forced: STOP removed, stopped agents started again. */
  resume(): Promise<void>;
  shutdown(opts?: { down?: boolean }): Promise<void>;
}

export interface QueueEntryView {
  id: string;
  name: string;
  priority: number;
  family?: string;
  status: 'available' | 'claimed' | 'running' | 'completed' | 'failed' | 'aborted' | 'archived';
  worker?: string;
  score?: number;
  timeMin?: number;
  result?: string;
  completedAt?: string;
  claimedAt?: string;
}

export interface QueueViewData {
  entries: QueueEntryView[];
  counts: Partial<Record<QueueEntryView['status'], number>>;
}

export interface WorkerView {
  status: string;
  currentExperiment?: string;
  runs: number;
  lastSeen?: string;
}

export interface CoordinationViewData {
  best: { score: number; timeMin?: number | null; experiment?: string | null } | null;
  target?: number;
  workers: Record<string, WorkerView>;
}

export interface StopView {
  present: boolean;
  reason?: string;
  since?: string;
  targetReached?: boolean;
}

export interface LogEntryView {
  worker?: string;
  experiment?: string;
  score?: number;
  timeMin?: number;
  flags?: string[];
  result?: string;
}

export interface WorkspaceSnapshotView {
  queue: QueueViewData | null;
  coordination: CoordinationViewData | null;
  stop: StopView;
  log: { entries: LogEntryView[]; lines: string[] };
  /** Every `ralph-tui run`'s live status file (.ralph/progress/), whoever started it. */
  runs?: FileRunView[];
  errors: { file: string; message: string }[];
  version: number;
}

/** What the experiments pane shows of any run: the screen's own (ExperimentRunView) or an agent's (FileRunView). */
export interface RunViewBase {
  id: string;
  name: string;
  done: number;
  total: number;
  etaSeconds?: number;
  elapsedSeconds: number;
  runningScore?: number;
  score?: number;
  projected400Min?: number;
  /** Worker threads the run uses: projected400Min is at this count. */
  workers?: number;
  startedAt?: number;
  lastLines: readonly string[];
}

/** A run seen through its live status file in .ralph/progress/ (orchestration's RunProgressView; agents' runs included). */
export interface FileRunView extends RunViewBase {
  worker?: string;
  state: 'running' | 'finished' | 'failed' | 'cancelled' | 'incomplete' | 'interrupted';
  startedAt: number;
}

export interface ExperimentRunView extends RunViewBase {
  state: 'queued' | 'running' | 'finished' | 'failed' | 'cancelled';
}

export interface ExperimentRunnerPort extends ExternalSource<ExperimentRunView[]> {
  startBuiltin(name: string, opts?: { workers?: number; command?: string }): string;
  cancel(id: string): Promise<void>;
  dispose(): Promise<void>;
}

export interface WorkspaceWatcherPort extends ExternalSource<WorkspaceSnapshotView> {
  start(): Promise<void>;
  close(): Promise<void>;
}

/** How the screen may start an experiment (the shape of src/experiments/launch-plan.ts's ExperimentLaunch). */
export type ExperimentLaunchView =
  | { kind: 'run'; name: string }
  | { kind: 'container'; name: string }
  | { kind: 'confirm'; name: string; command: string; source: string }
  | { kind: 'refuse'; name: string; reason: string };

/** File actions the keys trigger (STOP is the supervisor's: it writes and removes it itself). */
export interface WorkspaceActions {
  listExperiments(): string[] | Promise<string[]>;
  /** Whether the experiment runs at once (on this host or in its sandbox container), needs its command confirmed, or is refused (see experimentLaunch). */
  planExperiment(name: string): ExperimentLaunchView;
}
