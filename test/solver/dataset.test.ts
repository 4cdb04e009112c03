import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset, writeDataset } from '../../solver/dataset.js';
import { NdArray, PyTuple, pickleValue } from '../../solver/pickle-writer.js';
import { unpickle } from '../../solver/pickle.js';
import { fixturesDir, makeTempDir } from '../helpers/cli.js';

const jsonFixture = path.join(fixturesDir, 'synthetic-6.json');
const pklFixture = path.join(fixturesDir, 'synthetic-6.pkl');
const expected = JSON.parse(fs.readFileSync(jsonFixture, 'utf8'));

describe('loading datasets', () => {
  it('loads the official NumPy 2.x protocol-5 pickle to exactly the JSON fixture', async () => {
    const fromPickle = await loadDataset(pklFixture);
    expect(fromPickle).toEqual(expected);
    expect(fromPickle.samples[2].Y_noisy[17][3]).toBe(expected.samples[2].Y_noisy[17][3]);
  });

  it('loads the same data from JSON', async () => {
    const fromJson = await loadDataset(jsonFixture);
    expect(fromJson).toEqual(expected);
    expect(fromJson.samples).toHaveLength(6);
    expect(fromJson.meta).toEqual({ q_range: [0.5, 2], dt: 0.004 });
  });

  const ownFixtures = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures');
  for (const name of ['tiny-numpy1-protocol2.pkl', 'tiny-fortran-bigendian.pkl']) {
    it(`loads ${name} (NumPy 1.x arrays, Fortran order, big-endian) to the same data`, async () => {
      const tiny = JSON.parse(fs.readFileSync(path.join(ownFixtures, 'tiny.json'), 'utf8'));
      expect(await loadDataset(path.join(ownFixtures, name))).toEqual(tiny);
    });
  }

  it('loads NumPy scalars (int64, float32, str_) and float32 arrays as plain numbers and strings', async () => {
    const expectedScalars = JSON.parse(fs.readFileSync(path.join(ownFixtures, 'tiny-numpy-scalars.json'), 'utf8'));
    const loaded = await loadDataset(path.join(ownFixtures, 'tiny-numpy-scalars.pkl'));
    expect(loaded).toEqual(expectedScalars);
    expect(loaded.samples[0].sample_metadata.bc).toBe('neumann');
  });

  it('decides the format by content, not by the file name', async () => {
    const dir = makeTempDir();
    const disguised = path.join(dir, 'data.json');
    fs.copyFileSync(pklFixture, disguised);
    expect(await loadDataset(disguised)).toEqual(expected);
  });
});

describe('writing pickles', () => {
  it('round-trips a dataset through its own pickle writer', async () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'copy.pkl');
    await writeDataset(file, await loadDataset(jsonFixture));
    expect(fs.readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0x80, 3]));
    expect(await loadDataset(file)).toEqual(expected);
  });

  it('writes NumPy object arrays, tuples, big ints and floats that read back the same', () => {
    const ragged = new NdArray(
      [
        [[0.5, 0.25, 1]],
        [
          [1.5, 0.75, 2],
          [0.1, 0.2, 0.3],
        ],
      ],
      [2],
      'O',
    );
    const bytes = pickleValue({
      ragged,
      grid: NdArray.float64([
        [1, 2],
        [3, 4.5],
      ]),
      pair: new PyTuple([1, 'a']),
      big: 2 ** 40,
      neg: -7,
      none: null,
      flag: true,
      half: 0.5,
    });
    expect(unpickle(bytes)).toEqual({
      ragged: [
        [[0.5, 0.25, 1]],
        [
          [1.5, 0.75, 2],
          [0.1, 0.2, 0.3],
        ],
      ],
      grid: [
        [1, 2],
        [3, 4.5],
      ],
      pair: [1, 'a'],
      big: 2 ** 40,
      neg: -7,
      none: null,
      flag: true,
      half: 0.5,
    });
  });
});
