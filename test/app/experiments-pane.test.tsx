import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { RunProgressFile, WorkspaceWatcher } from '../../orchestration/index.js';
import { ExperimentsPane } from '../../components/ExperimentsPane.js';
import type { ExperimentRunView } from '../../src/app/ports.js';
import { experimentRuns } from '../../src/app/selectors.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { makeTempDir } from '../helpers/cli.js';
import { renderFixed } from './render-fixed.js';

function writeStatus(root: string, fields: Partial<RunProgressFile> & { run_id: string; name: string }): void {
  const now = Date.now();
  const file = v.parse(RunProgressFile, {
    pid: process.pid,
    host: os.hostname(),
    state: 'running',
    done: 0,
    total: 8,
    elapsed: 10,
    started_at: new Date(now - 60_000).toISOString(),
    updated_at: new Date(now).toISOString(),
    last_lines: [],
    ...fields,
  });
  const target = workspacePaths(root).progressFile(file.run_id);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, JSON.stringify(file));
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

describe('ExperimentsPane with runs from status files (.ralph/progress/)', () => {
  it("shows agents' runs with their worker next to the screen's own, each once: live bar, finished score, failure lines, interrupted", async () => {
    const root = makeTempDir('ralph-pane-');
    const gone = execa(process.execPath, ['-e', '0']);
    await gone; // its pid no longer runs
    writeStatus(root, {
      run_id: 'a',
      name: 'sigma_sweep',
      worker: 'W2',
      done: 3,
      total: 8,
      eta: 50,
      running_score: 1.15,
      projected_400_samples_min: 20,
      started_at: minutesAgo(1),
    });
    writeStatus(root, {
      run_id: 'b',
      name: 'polish_more',
      worker: 'W1',
      state: 'finished',
      done: 8,
      score: 1.2101,
      projected_400_samples_min: 41.5,
      started_at: minutesAgo(30),
    });
    writeStatus(root, {
      run_id: 'c',
      name: 'bad_inits',
      worker: 'W3',
      state: 'failed',
      done: 1,
      last_lines: ['Traceback (most recent call last):', 'ValueError: bad sigma'],
      started_at: minutesAgo(20),
    });
    writeStatus(root, {
      run_id: 'd',
      name: 'killed_one',
      worker: 'W4',
      pid: gone.pid!,
      done: 2,
      started_at: minutesAgo(10),
    });
    // The screen's own run also has a status file under the same id (the runner passed RALPH_RUN_ID).
    writeStatus(root, { run_id: 'screen-1', name: 'tiny', done: 1, total: 2, started_at: minutesAgo(0.5) });
    const own: ExperimentRunView[] = [
      {
        id: 'screen-1',
        name: 'tiny',
        state: 'running',
        done: 1,
        total: 2,
        elapsedSeconds: 3,
        etaSeconds: 3,
        lastLines: [],
      },
    ];

    const watcher = new WorkspaceWatcher(root);
    await watcher.start();
    const runs = experimentRuns(own, watcher.getSnapshot().runs);
    await watcher.close();
    // The order shown, which ↑/↓ follow: running, then failed/interrupted, then finished; newest first within each.
    expect(runs.map((run) => run.name)).toEqual(['tiny', 'sigma_sweep', 'killed_one', 'bad_inits', 'polish_more']);

    const r = renderFixed(<ExperimentsPane runs={runs} selectedId="a" width={70} height={14} />, {
      cols: 70,
      rows: 14,
    });
    const lines = r.lastFrameLines();
    const frame = lines.join('\n');
    expect(lines[0]).toContain('Experiments');
    expect(lines[0]).toContain('2 running');
    expect(frame).toContain('›sigma_sweep 3/8 37% · W2');
    expect(frame).toMatch(/█+░+ ETA 50s · score 1\.1500 · 20\.0 min\/400/);
    expect(frame).toContain('✓ polish_more 1.2101 · 41.5 min/400 (8/8) · W1');
    expect(frame).toContain('✖ bad_inits failed (1/8) · W3');
    expect(frame).toContain('ValueError: bad sigma');
    expect(frame).toContain('✖ killed_one interrupted (2/8) · W4');
    expect(frame.match(/tiny \d\/2/g)).toHaveLength(1);
    // Running first (newest first), then failed/interrupted, then finished.
    const order = ['tiny', 'sigma_sweep', 'killed_one', 'bad_inits', 'polish_more'].map((name) => frame.indexOf(name));
    expect(order).toEqual([...order].sort((x, y) => x - y));
    r.unmount();
  });
});
