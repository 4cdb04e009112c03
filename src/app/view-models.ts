// The shapes the presentational components draw: selectors build them from the services' snapshots.
import type { RunViewBase } from './ports.js';

export type TabState =
  'starting' | 'working' | 'idle' | 'needs-input' | 'needs-login' | 'exited' | 'restarting' | 'stopped';

/** One agent's tab: state, current experiment, restarts, CPU/mem and pinned cores. */
export interface AgentTab {
  id: string;
  state: TabState;
  experiment?: string;
  restarts: number;
  cpuPercent?: number;
  memoryBytes?: number;
  cpuset?: string;
  /** A local agent in bypass mode (no container, no permission prompts). */
  unconfined?: boolean;
  /** What a person must act on (shown instead of the experiment). */
  problem?: string;
}

/** One experiment run as the experiments pane lists it. */
export interface ExperimentRun extends RunViewBase {
  /** 'incomplete' and 'interrupted' come from status files: stopped early; process gone while "running". */
  state: 'queued' | 'running' | 'finished' | 'failed' | 'cancelled' | 'incomplete' | 'interrupted';
  /** The agent that runs it (runs from status files); none for the screen's own. */
  worker?: string;
}

/** One worker from the coordination/state files. */
export interface WorkerRow {
  id: string;
  status: string;
  currentExperiment?: string;
  runs: number;
  lastSeen?: string;
}
