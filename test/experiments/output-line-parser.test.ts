import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/experiments/line-splitter.js';
import { parseProgressLine, type ProgressEvent } from '../../src/experiments/output-line-parser.js';
import { repoRoot } from '../helpers/cli.js';

const fixture = (name: string) => fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'progress', name));

/** Feeds a fixture through the splitter in small chunks (as a pipe delivers it) and parses every line. */
function eventsOf(name: string): ProgressEvent[] {
  const bytes = fixture(name);
  const splitter = new LineSplitter();
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 7) lines.push(...splitter.push(bytes.subarray(i, i + 7)));
  lines.push(...splitter.flush());
  return lines.map(parseProgressLine).filter((event): event is ProgressEvent => event !== null);
}

describe('parseProgressLine on real-looking experiment output', () => {
  it('reads the JSON protocol: start, one event per sample with ETA and running score, end', () => {
    const events = eventsOf('json-protocol.txt');
    expect(events[0]).toEqual({ type: 'start', name: 'baseline', total: 6, workers: 3 });
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.map((e) => e.done)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress[1]).toMatchObject({
      sampleId: 'sample_3',
      rmse: 0.14,
      elapsedSeconds: 3,
      etaSeconds: 6,
      runningScore: 1.2,
    });
    expect(events.at(-1)).toMatchObject({
      type: 'end',
      score: 1.1613,
      against: 'Y',
      projected400Min: 2.5,
      workers: 3,
      wallSeconds: 9.4,
      incomplete: false,
    });
  });

  it('reads `[ k/N] sample ... rmse=` lines and the final Submission Score / Projected (400) block', () => {
    const events = eventsOf('run-py-bracket.txt');
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress[0]).toEqual({ type: 'progress', done: 1, total: 80, sampleId: 'sample_12', rmse: 0.0913 });
    expect(progress.at(-1)).toMatchObject({ done: 80, total: 80, sampleId: 'sample_61', rmse: 0.1502 });
    expect(events).toContainEqual({ type: 'score', score: 1.1464 });
    expect(events).toContainEqual({ type: 'projection', projected400Min: 51.2 });
    // Header lines (Workers: 7 | Samples: 80, RMSE: ...) are not mistaken for progress.
    expect(events).toHaveLength(7 + 2);
  });

  it('reads tqdm bars redrawn with carriage returns, including elapsed<remaining times', () => {
    const events = eventsOf('tqdm.txt');
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.map((e) => e.done)).toEqual([0, 1, 2, 36, 79, 80]);
    expect(progress[0]).toEqual({ type: 'progress', done: 0, total: 80, elapsedSeconds: 0 });
    expect(progress[3]).toEqual({ type: 'progress', done: 36, total: 80, elapsedSeconds: 41, etaSeconds: 50 });
    expect(progress[4]).toMatchObject({ elapsedSeconds: 90, etaSeconds: 1 });
    expect(events.at(-2)).toEqual({ type: 'score', score: 1.0987 });
    expect(events.at(-1)).toEqual({ type: 'projection', projected400Min: 39 });
  });

  it('follows the outermost of nested tqdm bars (an inner loop at position=1), as tqdm 4.64 writes them', () => {
    // Recorded from /usr/bin/python3 with Debian's python3-tqdm: an outer bar of 3 and an inner bar of 4 per step.
    const events = eventsOf('tqdm-nested.txt');
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.map((e) => `${e.done}/${e.total}`)).toEqual(['0/3', '1/3', '2/3', '3/3', '3/3']);
    expect(events.at(-1)).toEqual({ type: 'score', score: 1.05 });
  });

  it('reads `Progress: k/N samples` lines with their elapsed time', () => {
    const events = eventsOf('progress-word.txt');
    expect(events).toEqual([
      { type: 'progress', done: 10, total: 80, elapsedSeconds: 71.2 },
      { type: 'progress', done: 20, total: 80, elapsedSeconds: 140.9 },
      { type: 'progress', done: 80, total: 80, elapsedSeconds: 562 },
      { type: 'score', score: 1.1362 },
      { type: 'projection', projected400Min: 39 },
    ]);
  });

  it('ignores lines that say nothing about progress, including malformed or foreign JSON', () => {
    for (const line of [
      '',
      'Loading data...',
      '{"type":"sample","done":"x"}',
      '{not json',
      '{"level":"info"}',
      'RMSE: 0.1689 (1-src 0.1295)',
    ]) {
      expect(parseProgressLine(line)).toBeNull();
    }
  });
});

describe('LineSplitter', () => {
  it('splits at \\n, \\r\\n and bare \\r even when \\r\\n straddles two chunks', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('a\r')).toEqual([]);
    expect(splitter.push('\nb\rc\n')).toEqual(['a', 'b', 'c']);
    expect(splitter.push('tail')).toEqual([]);
    expect(splitter.flush()).toEqual(['tail']);
  });

  it('does not break a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('█▌ ok\n');
    const splitter = new LineSplitter();
    expect([...splitter.push(bytes.subarray(0, 2)), ...splitter.push(bytes.subarray(2))]).toEqual(['█▌ ok']);
  });
});
