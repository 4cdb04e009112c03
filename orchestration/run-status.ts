// The live status file of each `ralph-tui run`, written by the run and read by the screen.
import fs from 'node:fs';
import { listDir } from '../core/safe-fs.js';
import os from 'node:os';
import path from 'node:path';
import * as v from 'valibot';
import { workspacePaths } from '../core/workspace-paths.js';
import { readJsonSync } from './json-store.js';

/**
 * `.ralph/progress/<run-id>.json`: the live status of one `ralph-tui run`, written by the run itself
 * (whoever started it: the screen, a built-in worker, a Claude agent, a person, in any container sharing
 * the workspace), so the screen can show a bar for every running experiment. Written atomically at
 * start, at most twice a second while samples finish, every HEARTBEAT_MS while nothing changes, and at
 * the end; never left "running" by a run that ended in a way it could catch.
 */
export const RunProgressFile = v.looseObject({
  run_id: v.pipe(v.string(), v.minLength(1)),
  name: v.string(),
  /** The agent that ran it (RALPH_AGENT_ID, else `--log W1`); absent for a person or the screen. */
  worker: v.optional(v.string()),
  pid: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** os.hostname() of the writer: a pid means something only to a reader on the same host (container). */
  host: v.string(),
  /**
   * The writer's pid namespace (`pid:[4026531836]` from /proc/self/ns/pid, Linux): a container on the host
   * network has the host's hostname, yet its pids are not the host's.
   */
  pid_ns: v.optional(v.string()),
  state: v.picklist(['running', 'finished', 'failed', 'cancelled', 'incomplete']),
  done: v.pipe(v.number(), v.integer(), v.minValue(0)),
  total: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** Wall seconds since start. */
  elapsed: v.number(),
  eta: v.nullish(v.number()),
  running_score: v.nullish(v.number()),
  score: v.nullish(v.number()),
  against: v.optional(v.picklist(['Y', 'Y_noisy'])),
  projected_400_samples_min: v.nullish(v.number()),
  workers: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  result_file: v.optional(v.string()),
  exit_code: v.optional(v.pipe(v.number(), v.integer())),
  started_at: v.string(),
  updated_at: v.string(),
  /** The last lines of output (why a run failed). */
  last_lines: v.optional(v.array(v.string()), []),
});
export type RunProgressFile = v.InferOutput<typeof RunProgressFile>;

/** A file's state, or "interrupted": it claims running but its process is gone or it went silent. */
export type RunProgressState = RunProgressFile['state'] | 'interrupted';

export interface RunProgressView extends RunFields {
  id: string;
  name: string;
  worker?: string;
  state: RunProgressState;
  done: number;
  total: number;
  elapsedSeconds: number;
  exitCode?: number;
  /** ms since the epoch. */
  startedAt: number;
  updatedAt: number;
  lastLines: string[];
  host: string;
  pid: number;
}

/** The run fields both wire formats (`--progress json` lines, status files) write in snake_case. */
export interface RunWireFields {
  elapsed?: number;
  eta?: number | null;
  running_score?: number | null;
  score?: number | null;
  against?: 'Y' | 'Y_noisy';
  projected_400_samples_min?: number | null;
  workers?: number;
  result_file?: string;
}

/** The same fields as the screen and the runner name them. */
export interface RunFields {
  elapsedSeconds?: number;
  etaSeconds?: number;
  runningScore?: number;
  score?: number;
  against?: 'Y' | 'Y_noisy';
  projected400Min?: number;
  workers?: number;
  resultFile?: string;
}

/** snake_case wire fields → camelCase, null read as absent: the one place these names are mapped. */
export function runFieldsOf(wire: RunWireFields): RunFields {
  return {
    elapsedSeconds: wire.elapsed,
    etaSeconds: wire.eta ?? undefined,
    runningScore: wire.running_score ?? undefined,
    score: wire.score ?? undefined,
    against: wire.against,
    projected400Min: wire.projected_400_samples_min ?? undefined,
    workers: wire.workers,
    resultFile: wire.result_file,
  };
}

/** A running writer rewrites its file at least this often, so silence means it is gone. */
export const RUN_HEARTBEAT_MS = 30_000;
/** A "running" file not updated for this long is shown as interrupted (6 missed heartbeats). */
export const RUN_STALE_MS = 3 * 60_000;
/** Finished runs kept in the snapshot (every running one is kept). */
export const RUNS_KEPT_FINISHED = 20;

export interface LivenessProbe {
  now?: number;
  host?: string;
  pidNs?: string;
  pidAlive?: (pid: number) => boolean;
}

export function runProgressViewOf(file: RunProgressFile, probe: LivenessProbe = {}): RunProgressView {
  const now = probe.now ?? Date.now();
  const updatedAt = Date.parse(file.updated_at);
  const startedAt = Date.parse(file.started_at);
  let state: RunProgressState = file.state;
  if (state === 'running') {
    const ns = probe.pidNs ?? pidNamespace();
    const sameHost =
      file.host === (probe.host ?? os.hostname()) &&
      (file.pid_ns === undefined || ns === undefined || file.pid_ns === ns);
    const dead = sameHost && !(probe.pidAlive ?? isProcessAlive)(file.pid);
    if (dead || !(now - updatedAt <= RUN_STALE_MS)) state = 'interrupted';
  }
  const fields = runFieldsOf(file);
  const view: RunProgressView = {
    id: file.run_id,
    name: file.name,
    worker: file.worker,
    state,
    done: file.done,
    total: file.total,
    ...fields,
    elapsedSeconds: file.elapsed,
    etaSeconds: state === 'running' ? fields.etaSeconds : undefined,
    exitCode: file.exit_code,
    startedAt: Number.isNaN(startedAt) ? 0 : startedAt,
    updatedAt: Number.isNaN(updatedAt) ? 0 : updatedAt,
    lastLines: file.last_lines,
    host: file.host,
    pid: file.pid,
  };
  for (const key of Object.keys(view) as Array<keyof RunProgressView>) if (view[key] === undefined) delete view[key];
  return view;
}

/** A status file's parsed content as a view; a file that is not one is an error naming it. */
export function runProgressFromJson(data: unknown, file: string): { data: RunProgressFile; view: RunProgressView } {
  const parsed = v.safeParse(RunProgressFile, data);
  if (!parsed.success)
    throw new Error(
      `${file}: not a run status file: ${v.getDotPath(parsed.issues[0]) ?? ''} ${parsed.issues[0].message}`,
    );
  return { data: parsed.output, view: runProgressViewOf(parsed.output) };
}

/** The runs in .ralph/progress/ that are running right now (for `ralph-tui status`); unreadable files are skipped. */
export function runningRunsSync(root: string): RunProgressView[] {
  const dir = workspacePaths(root).progress;
  let names: string[];
  try {
    names = listDir(dir)
      .map((found) => found.name)
      .filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const running: RunProgressView[] = [];
  for (const name of names) {
    try {
      const doc = readJsonSync(path.join(dir, name));
      if (doc) running.push(runProgressFromJson(doc.data, name).view);
    } catch {
      // A half-written or foreign file: the screen's watcher reports it; status shows the rest.
    }
  }
  return selectRuns(
    running.filter((view) => view.state === 'running'),
    0,
  );
}

/** Newest first: every running run, then the latest `keepFinished` others. */
export function selectRuns(views: Iterable<RunProgressView>, keepFinished = RUNS_KEPT_FINISHED): RunProgressView[] {
  const sorted = [...views].sort((a, b) => b.startedAt - a.startedAt || a.id.localeCompare(b.id));
  let others = 0;
  return sorted.filter((view) => view.state === 'running' || others++ < keepFinished);
}

let ownPidNs: string | undefined | null = null;

/** This process's pid namespace (`pid:[…]`), or undefined where /proc has none (not Linux). */
export function pidNamespace(): string | undefined {
  if (ownPidNs === null) {
    try {
      ownPidNs = fs.readlinkSync('/proc/self/ns/pid');
    } catch {
      ownPidNs = undefined;
    }
  }
  return ownPidNs;
}

/** Signal 0 probes a pid: ESRCH means gone; EPERM means alive but someone else's. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
