import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetToPickle, type Dataset } from '../../solver/dataset.js';
import { fixturesDir, makeTempDir, runCli } from '../helpers/cli.js';

const jsonFixture = path.join(fixturesDir, 'synthetic-6.json');
const pklFixture = path.join(fixturesDir, 'synthetic-6.pkl');
const fixture = JSON.parse(fs.readFileSync(jsonFixture, 'utf8')) as Dataset;
const truth0 = fixture.samples[0].true_sources!.map((s) => [s.x, s.y, s.q]);

/** A copy of the fixture with one sample changed, written as JSON (or as a pickle). */
function brokenDataset(
  dir: string,
  name: string,
  edit: (sample: Record<string, unknown>) => void,
  asPickle = false,
): string {
  const copy = structuredClone(fixture) as unknown as { samples: Record<string, unknown>[] };
  edit(copy.samples[3]);
  const file = path.join(dir, name);
  fs.writeFileSync(file, asPickle ? datasetToPickle(copy as unknown as Dataset) : JSON.stringify(copy));
  return file;
}

/** One line on stderr naming the problem, exit 2, nothing on stdout, no stack trace. */
function expectUserError(result: { exitCode: number; stdout: string; stderr: string }, ...parts: string[]) {
  expect(result.exitCode).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  for (const part of parts) expect(result.stderr).toContain(part);
}

describe('ralph-tui simulate', () => {
  it('prints the readings of the given sources as JSON, matching the clean Y for the true sources', async () => {
    const result = await runCli([
      'simulate',
      '--data',
      pklFixture,
      '--sample',
      'sample_0',
      '--sources',
      JSON.stringify(truth0),
      '--repeat',
      '2',
      '--json',
    ]);
    expect(result.exitCode).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.sample_id).toBe('sample_0');
    expect(out.Y).toHaveLength(201);
    expect(out.Y[0]).toHaveLength(3);
    expect(out.seconds_per_simulation).toBeGreaterThan(0);
    const worst = Math.max(
      ...out.Y.flat().map((v: number, k: number) => Math.abs(v - fixture.samples[0].Y!.flat()[k])),
    );
    expect(worst).toBeLessThan(1e-9);
    expect(out.rmse.Y).toBeLessThan(1e-9);
  });

  it('prints a human summary without --json', async () => {
    const result = await runCli([
      'simulate',
      '--data',
      jsonFixture,
      '--sample',
      'sample_2',
      '--sources',
      '[[1.5,0.85,0.54],[0.77,0.62,0.8]]',
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('sample_2: 2 sources, 4 sensors, nt 200');
    expect(result.stdout).toMatch(/RMSE against Y: \d/);
    expect(result.stdout).toMatch(/ms per simulation/);
  });

  it('rejects an unknown sample, malformed sources and a bad --repeat with one sentence', async () => {
    const base = ['simulate', '--data', jsonFixture, '--sample', 'sample_0'];
    expectUserError(
      await runCli([...base.slice(0, 3), '--sample', 'nope', '--sources', '[[1,0.5,1]]']),
      'no sample with id "nope"',
    );
    expectUserError(await runCli([...base, '--sources', '[[1,0.5]]']), '--sources', '[0]');
    expectUserError(await runCli([...base, '--sources', '[[1,0.5,']), '--sources: invalid JSON');
    expectUserError(await runCli([...base, '--sources', '[[1,0.5,1]]', '--repeat', 'two']), '--repeat');
  });
});

describe('ralph-tui score', () => {
  const reference = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'scoring-reference.json'), 'utf8')) as {
    cases: { sample_id: string; case: string; estimated_sources: number[][][]; expected_score: number }[];
  };
  const randomThree = reference.cases.filter((c) => c.case === 'random-three');

  it('prints the official scores as JSON in the documented shape', async () => {
    const dir = makeTempDir();
    const predictions = path.join(dir, 'pred.json');
    fs.writeFileSync(
      predictions,
      JSON.stringify({
        samples: randomThree.map(({ sample_id, estimated_sources }) => ({ sample_id, estimated_sources })),
      }),
    );
    const result = await runCli(['score', '--data', pklFixture, '--predictions', predictions, '--json']);
    expect(result.exitCode).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.against).toBe('Y');
    expect(out.samples).toHaveLength(6);
    for (const c of randomThree) {
      const scored = out.samples.find((s: { sample_id: string }) => s.sample_id === c.sample_id);
      expect(Object.keys(scored).sort()).toEqual(['losses', 'n_valid', 'sample_id', 'score']);
      expect(Math.abs(scored.score - c.expected_score)).toBeLessThan(1e-9);
    }
    const mean = randomThree.reduce((s, c) => s + c.expected_score, 0) / randomThree.length;
    expect(Math.abs(out.score - mean)).toBeLessThan(1e-9);
  });

  it('scores an .npz submission written by NumPy exactly like the same predictions in JSON', async () => {
    const npz = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'random-three-numpy.npz');
    const result = await runCli(['score', '--data', jsonFixture, '--predictions', npz, '--json']);
    expect(result.exitCode).toBe(0);
    const mean = randomThree.reduce((s, c) => s + c.expected_score, 0) / randomThree.length;
    expect(Math.abs(JSON.parse(result.stdout).score - mean)).toBeLessThan(1e-9);
    expectUserError(
      await runCli(['score', '--data', jsonFixture, '--predictions', pklFixture]),
      'neither JSON predictions nor an .npz submission',
    );
  });

  it('says when it scores against Y_noisy because the data has no clean Y', async () => {
    const dir = makeTempDir();
    const noisy = structuredClone(fixture) as unknown as { samples: Record<string, unknown>[] };
    for (const s of noisy.samples) delete s.Y;
    const data = path.join(dir, 'public.json');
    fs.writeFileSync(data, JSON.stringify(noisy));
    const predictions = path.join(dir, 'pred.json');
    fs.writeFileSync(
      predictions,
      JSON.stringify({ samples: [{ sample_id: 'sample_0', estimated_sources: [truth0] }] }),
    );
    const human = await runCli(['score', '--data', data, '--predictions', predictions]);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toContain('proxy: against Y_noisy');
    expect(human.stdout).toContain('5 samples without predictions scored 0');
    const json = JSON.parse((await runCli(['score', '--data', data, '--predictions', predictions, '--json'])).stdout);
    expect(json.against).toBe('Y_noisy');
  });

  it('warns about predicted sources outside the 2×1 plate, and still scores them as given', async () => {
    const dir = makeTempDir();
    const predictions = path.join(dir, 'pred.json');
    fs.writeFileSync(
      predictions,
      JSON.stringify({
        samples: [{ sample_id: 'sample_0', estimated_sources: [truth0, [[2.4, 0.5, 1]], [[1, -0.1, 1]]] }],
      }),
    );
    const result = await runCli(['score', '--data', jsonFixture, '--predictions', predictions, '--json']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe(
      'ralph-tui: warning: 2 predicted sources lie outside the 2×1 plate (first: sample_0 candidate 2 at x=2.4, y=0.5); scored as given',
    );
    expect(JSON.parse(result.stdout).samples[0].n_valid).toBe(3);
    const inside = path.join(dir, 'inside.json');
    fs.writeFileSync(inside, JSON.stringify({ samples: [{ sample_id: 'sample_0', estimated_sources: [truth0] }] }));
    expect((await runCli(['score', '--data', jsonFixture, '--predictions', inside])).stderr).toBe('');
  });

  it('rejects malformed predictions naming the file and field', async () => {
    const dir = makeTempDir();
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ samples: [{ sample_id: 'sample_0', estimated_sources: [[[1, 'x', 1]]] }] }));
    expectUserError(
      await runCli(['score', '--data', jsonFixture, '--predictions', bad]),
      'bad.json',
      'samples[0].estimated_sources[0][0][1]',
    );
    const unknown = path.join(dir, 'unknown.json');
    fs.writeFileSync(unknown, JSON.stringify({ samples: [{ sample_id: 'ghost', estimated_sources: [] }] }));
    expectUserError(
      await runCli(['score', '--data', jsonFixture, '--predictions', unknown]),
      'sample "ghost" is not in the dataset',
    );
  });
});

describe('bad datasets stop with one clear sentence naming the sample and field', () => {
  const dir = makeTempDir();
  const simulate = (data: string) =>
    runCli(['simulate', '--data', data, '--sample', 'sample_0', '--sources', '[[1,0.5,1]]']);

  it('a NaN reading (in a pickle)', async () => {
    const file = brokenDataset(dir, 'nan.pkl', (s) => ((s.Y_noisy as number[][])[12][1] = Number.NaN), true);
    expectUserError(await simulate(file), 'nan.pkl', 'sample "sample_3"', 'Y_noisy[12][1]', 'NaN');
  });

  it('an infinite reading', async () => {
    const file = brokenDataset(dir, 'inf.pkl', (s) => ((s.Y as number[][])[5][0] = Number.POSITIVE_INFINITY), true);
    expectUserError(await simulate(file), 'sample "sample_3"', 'Y[5][0]', 'Infinity');
  });

  it('Y_noisy with a row missing', async () => {
    const file = brokenDataset(dir, 'rows.json', (s) => (s.Y_noisy as number[][]).pop());
    expectUserError(await simulate(file), 'sample "sample_3"', 'Y_noisy', 'expected 201 rows (nt + 1), got 200');
  });

  it('Y_noisy with a column too many', async () => {
    const file = brokenDataset(dir, 'cols.json', (s) => (s.Y_noisy as number[][])[7].push(0));
    expectUserError(
      await simulate(file),
      'sample "sample_3"',
      'Y_noisy[7]',
      'expected 4 columns (one per sensor), got 5',
    );
  });

  it('an unknown boundary condition', async () => {
    const file = brokenDataset(dir, 'bc.json', (s) => ((s.sample_metadata as Record<string, unknown>).bc = 'periodic'));
    expectUserError(await simulate(file), 'sample "sample_3"', 'sample_metadata.bc', '"periodic"');
  });

  it('a missing field', async () => {
    const file = brokenDataset(dir, 'missing.json', (s) => delete s.sensors_xy);
    expectUserError(await simulate(file), 'sample "sample_3"', 'field sensors_xy', 'missing');
  });

  it('a file that is neither JSON nor a pickle, a truncated pickle, and a missing file', async () => {
    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'just some notes\n');
    expectUserError(await simulate(text), 'notes.txt', 'neither a JSON dataset nor a Python pickle');
    const truncated = path.join(dir, 'cut.pkl');
    fs.writeFileSync(truncated, fs.readFileSync(pklFixture).subarray(0, 5000));
    expectUserError(await simulate(truncated), 'cut.pkl', 'not a readable Python pickle');
    expectUserError(await simulate(path.join(dir, 'absent.pkl')), 'absent.pkl', 'no such dataset file');
  });
});

describe('ralph-tui generate', () => {
  it('writes the same dataset for the same seed, as JSON or as a pickle', async () => {
    const simulateOneSource = (data: string) =>
      runCli(['simulate', '--data', data, '--sample', 'sample_1', '--sources', '[[1,0.5,1]]', '--json']);
    const dir = makeTempDir();
    const a = path.join(dir, 'a.json');
    const b = path.join(dir, 'b.json');
    const p = path.join(dir, 'a.pkl');
    const first = await runCli(['generate', '--out', a, '--samples', '2', '--seed', '5', '--json']);
    expect(first.exitCode).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ out: a, samples: 2, seed: 5 });
    expect((await runCli(['generate', '--out', b, '--samples', '2', '--seed', '5'])).stdout).toContain(
      'wrote 2 samples',
    );
    expect(fs.readFileSync(b, 'utf8')).toBe(fs.readFileSync(a, 'utf8'));
    expect((await runCli(['generate', '--out', p, '--samples', '2', '--seed', '5'])).exitCode).toBe(0);
    const fromJson = await simulateOneSource(a);
    const fromPickle = await simulateOneSource(p);
    expect(JSON.parse(fromPickle.stdout).Y).toEqual(JSON.parse(fromJson.stdout).Y);
    expect(JSON.parse(fromPickle.stdout).rmse).toEqual(JSON.parse(fromJson.stdout).rmse);
  });

  it('rejects a bad sample count', async () => {
    expectUserError(await runCli(['generate', '--out', '/tmp/never.json', '--samples', '0']), '--samples');
  });
});
