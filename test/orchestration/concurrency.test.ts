import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { addExperiments, readCoordination, readQueue } from '../../orchestration/index.js';
import { readShared, sharedFile, workspaceWith } from './workspace-fixture.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKERS = 8;
const CYCLES = 100;

describe('concurrent writers', () => {
  it(`${WORKERS} processes × ${CYCLES} claim/complete cycles on ${WORKERS * CYCLES} entries: each claimed once, nothing lost, always parseable`, async () => {
    const root = workspaceWith();
    await addExperiments(
      root,
      Array.from({ length: WORKERS * CYCLES }, (_, i) => ({ name: `exp_${i}`, family: 'load', priority: 1 + (i % 5) })),
    );
    const stopFile = path.join(root, 'reader.stop');
    const reader = execa(process.execPath, [
      path.join(here, 'concurrency-reader.mjs'),
      sharedFile(root, 'experiment_queue.json'),
      sharedFile(root, 'coordination.json'),
      stopFile,
    ]);
    const workers = Array.from({ length: WORKERS }, (_, i) =>
      execa(process.execPath, [path.join(here, 'concurrency-child.mjs'), root, `W${i + 1}`, String(CYCLES)]),
    );
    const results = (await Promise.all(workers)).map(
      (result) => JSON.parse(String(result.stdout)) as { claimed: string[]; best: number | null },
    );
    fs.writeFileSync(stopFile, '');
    const readerResult = JSON.parse(String((await reader).stdout)) as { reads: number; failures: string[] };

    // Every entry claimed exactly once.
    const claimed = results.flatMap((result) => result.claimed);
    expect(claimed).toHaveLength(WORKERS * CYCLES);
    expect(new Set(claimed).size).toBe(WORKERS * CYCLES);

    // No lost update: every entry is completed by the worker that claimed it, with its result.
    const owner = new Map<string, string>();
    results.forEach((result, i) => result.claimed.forEach((id) => owner.set(id, `W${i + 1}`)));
    const queue = readQueue(root);
    expect(queue.counts).toMatchObject({
      completed: WORKERS * CYCLES,
      available: 0,
      claimed: 0,
      total: WORKERS * CYCLES,
    });
    for (const entry of queue.entries) {
      expect(entry.worker).toBe(owner.get(entry.id));
      expect(entry.result).toBe(`done by ${entry.worker}`);
    }
    const coordination = readCoordination(root);
    expect(coordination.completed).toHaveLength(WORKERS * CYCLES);
    expect(coordination.inProgress).toEqual([]);
    const raw = readShared(root, 'coordination.json');
    for (let i = 1; i <= WORKERS; i++)
      expect(raw.workers[`W${i}`]).toMatchObject({ status: 'idle', experiments_run: CYCLES });
    // The best is the highest in-budget score any worker reported, at the 4 decimals a new best must beat
    // (best-score.ts): scores that differ further down tie, and the first of them stays the best.
    const highest = Math.max(...results.map((result) => result.best ?? 0));
    expect(Math.round((coordination.best?.score ?? 0) * 1e4)).toBe(Math.round(highest * 1e4));

    // The reader parsed the files throughout and never saw a half-written one.
    expect(readerResult.failures).toEqual([]);
    expect(readerResult.reads).toBeGreaterThan(0);
  }, 180_000);
});
