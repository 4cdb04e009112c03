import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendLogEntry, formatLogEntry, LogFollower, parseLogEntries, tailLines } from '../../orchestration/index.js';
import { makeTempDir } from '../helpers/cli.js';
import { originalDir } from './workspace-fixture.js';

const fixtureLog = fs.readFileSync(path.join(originalDir, 'ITERATION_LOG.md'), 'utf8');

describe('ITERATION_LOG.md entries', () => {
  it('parses every worker entry of the original log with score, minutes, id and flags', () => {
    const entries = parseLogEntries(fixtureLog).filter((entry) => entry.worker);
    expect(entries).toHaveLength(fixtureLog.split('\n').filter((line) => /^### \[W\d+\]/.test(line)).length);
    const byHeader = (text: string) => entries.find((entry) => entry.header.includes(text))!;
    expect(byHeader('threshold_0.34_0.44')).toMatchObject({
      worker: 'W1',
      experiment: 'threshold_0.34_0.44',
      score: 1.1168,
      timeMin: 81.2,
      flags: [],
    });
    expect(byHeader('basin_hopping_lbfgs')).toMatchObject({
      id: 'EXP_BASINHOPPING_001',
      algorithm: 'Basin Hopping',
      score: 1.0573,
      timeMin: 1105.2,
    });
    expect(byHeader('lq_cma_es_builtin')).toMatchObject({ rmse: 0.253, timeMin: 64.1, flags: ['FAILED'] });
    expect(byHeader('adaptive_sigma_schedule | Status')).toMatchObject({ flags: ['ABORTED'] });
    expect(byHeader('cluster_transfer')).toMatchObject({
      result: '**FAILED** vs baseline (1.1247 @ 57 min)',
      finding: expect.stringMatching(/^Sensor feature clustering/),
    });
    const last = entries.at(-1)!;
    expect(last).toMatchObject({
      worker: 'W1',
      experiment: 'perturbed_extended_polish',
      score: 1.1464,
      timeMin: 51.2,
      flags: ['NEW BEST'],
    });
    expect(last.result).toBe('**SUCCESS - NEW BEST IN-BUDGET**');
  });

  it('parses the session-style entries of sessions 15–17 (`### Exp S15-01: Title (name)`), score and time from their Result line', () => {
    const sessions = parseLogEntries(fixtureLog).filter((entry) => !entry.worker);
    const headers = fixtureLog.split('\n').flatMap((line, i) => (/^### Exp S1[5-7]-\d+:/.test(line) ? [i + 1] : []));
    expect(headers).toHaveLength(26);
    expect(sessions.map((entry) => entry.line)).toEqual(headers);
    const byId = (id: string) => sessions.find((entry) => entry.id === id)!;
    expect(byId('S15-01')).toMatchObject({
      experiment: 'coord_descent_refine',
      title: 'Coordinate Descent Refinement',
      score: 1.1211,
      timeMin: 93.7,
      flags: ['OVER BUDGET'],
      line: 95,
    });
    expect(byId('S15-02')).toMatchObject({ experiment: 'bipop_sep_active', score: 1.119, timeMin: 54, flags: [] });
    expect(byId('S15-03')).toMatchObject({ experiment: 'coarse_coord_descent', flags: ['KILLED'] });
    expect(byId('S15-03').score).toBeUndefined();
    expect(byId('S15-04')).toMatchObject({
      experiment: 'early_fraction tuning',
      config: '36 fevals, 3-iter refine top-2',
    });
    expect(byId('S15-17')).toMatchObject({
      experiment: 'Robust Fallback (threshold 0.35/0.45)',
      score: 1.1247,
      timeMin: 57.2,
      flags: ['NEW BEST'],
    });
    expect(byId('S17-02')).toMatchObject({ experiment: 'multi_init_fallback', title: 'Multi-Init Fallback' });
  });

  it('numbers entries from the line the parsed text starts at (a tail of the log)', () => {
    const lines = fixtureLog.split('\n');
    const tail = lines.slice(1000).join('\n');
    const all = parseLogEntries(fixtureLog).filter((entry) => entry.line > 1000);
    expect(parseLogEntries(tail, 1001).map((entry) => [entry.line, entry.header])).toEqual(
      all.map((entry) => [entry.line, entry.header]),
    );
  });

  it('formats an entry exactly like the original log, and parses it back', () => {
    const text = formatLogEntry({
      worker: 'W1',
      experiment: 'perturbed_extended_polish',
      score: 1.1464,
      timeMin: 51.2,
      flags: ['NEW BEST'],
      config: { sigma0_1src: 0.18 },
      result: 'SUCCESS',
      finding: 'higher sigma\nwins',
    });
    expect(text).toBe(
      '\n### [W1] Experiment: perturbed_extended_polish | Score: 1.1464 @ 51.2 min | **NEW BEST**\n**Config**: `{"sigma0_1src":0.18}`\n**Result**: SUCCESS\n**Key Finding**: higher sigma wins\n\n---\n',
    );
    expect(parseLogEntries(text)[0]).toMatchObject({
      worker: 'W1',
      score: 1.1464,
      timeMin: 51.2,
      flags: ['NEW BEST'],
      config: '`{"sigma0_1src":0.18}`',
      result: 'SUCCESS',
      finding: 'higher sigma wins',
    });
    expect(() => formatLogEntry({ worker: 'worker1', experiment: 'x' })).toThrow(/invalid worker/);
  });

  it('concurrent appenders never interleave: 40 entries from 4 writers all parse back whole', async () => {
    const root = makeTempDir('ralph-log-');
    fs.writeFileSync(path.join(root, 'ITERATION_LOG.md'), '# Iteration Log'); // no final newline: the first append adds one
    await Promise.all(
      [1, 2, 3, 4].map(async (w) => {
        for (let i = 0; i < 10; i++)
          await appendLogEntry(root, {
            worker: `W${w}`,
            experiment: `exp_${w}_${i}`,
            score: w + i / 100,
            timeMin: 50,
            result: 'r'.repeat(500),
          });
      }),
    );
    const text = fs.readFileSync(path.join(root, 'ITERATION_LOG.md'), 'utf8');
    expect(text.startsWith('# Iteration Log\n\n### [W')).toBe(true);
    const entries = parseLogEntries(text);
    expect(entries).toHaveLength(40);
    for (const entry of entries) {
      expect(entry.experiment).toMatch(new RegExp(`^exp_${entry.worker!.slice(1)}_\\d$`));
      expect(entry.result).toBe('r'.repeat(500));
    }
  });
});

describe('tailLines', () => {
  it('returns the last N lines read from the end, across chunk boundaries and without a final newline', async () => {
    const dir = makeTempDir('ralph-tail-');
    const file = path.join(dir, 'log.md');
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)} ü`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    expect(await tailLines(file, 3)).toEqual(lines.slice(-3));
    expect(await tailLines(file, 5000)).toEqual(lines.slice(-5000));
    expect(await tailLines(file, 50_000)).toEqual(lines);
    fs.writeFileSync(file, 'a\r\nb\r\nc');
    expect(await tailLines(file, 2)).toEqual(['b', 'c']);
    expect(await tailLines(path.join(dir, 'missing.md'), 5)).toEqual([]);
  });

  it('tails the original log', async () => {
    const all = fixtureLog.split('\n');
    if (all.at(-1) === '') all.pop();
    expect(await tailLines(path.join(originalDir, 'ITERATION_LOG.md'), 4)).toEqual(all.slice(-4));
  });
});

describe('LogFollower', () => {
  const followers: LogFollower[] = [];
  afterEach(async () => {
    await Promise.all(followers.splice(0).map((follower) => follower.close()));
  });

  function collect(follower: LogFollower) {
    const seen: string[] = [];
    let resets = 0;
    follower.onLines((lines) => seen.push(...lines));
    follower.onReset(() => resets++);
    return { seen, resets: () => resets };
  }

  async function until(condition: () => boolean): Promise<void> {
    for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(condition()).toBe(true);
  }

  for (const poll of [false, true]) {
    it(`follows appends (whole lines only), truncation and replacement by rename${poll ? ' (polling)' : ''}`, async () => {
      const dir = makeTempDir('ralph-follow-');
      const file = path.join(dir, 'ITERATION_LOG.md');
      fs.writeFileSync(file, 'old 1\nold 2\n');
      const follower = new LogFollower(file, { poll, intervalMs: 30 });
      followers.push(follower);
      const { seen, resets } = collect(follower);
      await follower.start();
      fs.appendFileSync(file, 'new 1\nnew ');
      await until(() => seen.length === 1);
      fs.appendFileSync(file, '2 ü\n');
      await until(() => seen.length === 2);
      expect(seen).toEqual(['new 1', 'new 2 ü']);
      fs.truncateSync(file, 0);
      fs.appendFileSync(file, 'after truncate\n');
      await until(() => seen.includes('after truncate'));
      expect(resets()).toBeGreaterThanOrEqual(1);
      fs.writeFileSync(`${file}.1`, 'rotated\n');
      fs.renameSync(`${file}.1`, file);
      await until(() => seen.includes('rotated'));
      expect(resets()).toBeGreaterThanOrEqual(2);
    });
  }
});
