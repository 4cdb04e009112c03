// How the watcher re-reads what changed, each keeping its last good view: a JSON file, STATE.json files, run files.
import path from 'node:path';
import { listDirAsync } from '../core/safe-fs.js';
import type { WorkspacePaths } from '../core/workspace-paths.js';
import { experimentStateViewOf, type ExperimentStateView } from './experiment-state.js';
import { readJson, type JsonDocument } from './json-store.js';
import {
  runProgressFromJson,
  runProgressViewOf,
  selectRuns,
  type RunProgressFile,
  type RunProgressView,
} from './run-status.js';

/** Files that currently fail to parse, by path, with the error's sentence. */
export type WatchErrors = Map<string, string>;

/** Reads one file through `view`; on failure records the error and keeps `last`. */
export async function readView<T>(
  file: string,
  view: (doc: JsonDocument | null) => T,
  last: T,
  errors: WatchErrors,
): Promise<T> {
  try {
    const result = view(await readJson(file));
    errors.delete(file);
    return result;
  } catch (error) {
    errors.set(file, (error as Error).message);
    return last;
  }
}

/** The experiments/<name>/STATE.json views, each re-read only when its folder changed. */
export class ExperimentStates {
  private readonly views = new Map<string, ExperimentStateView>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly paths: WorkspacePaths,
    private readonly errors: WatchErrors,
  ) {}

  /** Marks one experiment to be re-read; without a name (experiments/ itself changed) every known one. */
  markDirty(name: string | undefined): void {
    if (name) this.dirty.add(name);
    else for (const known of this.views.keys()) this.dirty.add(known);
  }

  /** The STATE.json files of the experiments known so far. */
  stateFiles(): string[] {
    return [...this.views.keys()].map((name) => this.stateFile(name));
  }

  async read(): Promise<ExperimentStateView[]> {
    let names: string[];
    try {
      names = (await listDirAsync(this.paths.experiments))
        .filter((found) => found.isDirectory())
        .map((found) => found.name);
    } catch {
      names = [];
    }
    const present = new Set(names);
    for (const name of [...this.views.keys()]) {
      if (!present.has(name)) {
        this.views.delete(name);
        this.errors.delete(this.stateFile(name));
      }
    }
    for (const name of names) {
      if (this.views.has(name) && !this.dirty.has(name)) continue;
      const file = this.stateFile(name);
      const view = await readView(
        file,
        (doc) => (doc ? experimentStateViewOf(name, doc.data, file) : null),
        this.views.get(name) ?? null,
        this.errors,
      );
      if (view) this.views.set(name, view);
      else this.views.delete(name);
    }
    this.dirty.clear();
    return [...this.views.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  private stateFile(name: string): string {
    return path.join(this.paths.experimentDir(name), 'STATE.json');
  }
}

/** The run progress files of .ralph/progress/, parsed by path, each re-read only when its file changed. */
export class RunFiles {
  private readonly files = new Map<string, { data: RunProgressFile; view: RunProgressView }>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly errors: WatchErrors,
  ) {}

  markDirty(file: string): void {
    this.dirty.add(file);
  }

  /** The files of runs last seen running: only those change once a run's file exists. */
  runningFiles(): string[] {
    return [...this.files].filter(([, run]) => run.view.state === 'running').map(([file]) => file);
  }

  /** Whether a run shown as running has since died without a word (SIGKILL, a container removed). */
  anyDied(): boolean {
    return [...this.files.values()].some(
      ({ data, view }) => view.state === 'running' && runProgressViewOf(data).state !== 'running',
    );
  }

  async read(): Promise<RunProgressView[]> {
    let files: string[];
    try {
      files = (await listDirAsync(this.dir))
        .map((found) => found.name)
        .filter((name) => name.endsWith('.json'))
        .map((name) => path.join(this.dir, name));
    } catch {
      files = [];
    }
    const present = new Set(files);
    for (const file of [...this.files.keys()]) {
      if (present.has(file)) continue;
      this.files.delete(file);
      this.errors.delete(file);
    }
    for (const file of files) {
      if (this.files.has(file) && !this.dirty.has(file)) continue;
      try {
        const doc = await readJson(file);
        if (!doc) continue;
        this.files.set(file, runProgressFromJson(doc.data, file));
        this.errors.delete(file);
      } catch (error) {
        this.errors.set(file, (error as Error).message);
      }
    }
    this.dirty.clear();
    // Liveness is judged again on every refresh (a pid can die, a file can go silent).
    for (const run of this.files.values()) if (run.data.state === 'running') run.view = runProgressViewOf(run.data);
    return selectRuns([...this.files.values()].map((run) => run.view));
  }
}
