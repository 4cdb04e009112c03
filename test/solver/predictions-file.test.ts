import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSubmissionNpz } from '../../solver/npz.js';
import { loadPredictions } from '../../solver/predictions-file.js';
import { makeTempDir } from '../helpers/cli.js';

describe('loading predictions', () => {
  const samples = [
    { sample_id: 'a', estimated_sources: [[[1, 0.5, 1.25]], [[0.25, 0.75, 2]]] },
    {
      sample_id: 'b',
      estimated_sources: [
        [
          [1.5, 0.25, 0.5],
          [0.5, 0.5, 1],
        ],
      ],
    },
  ];

  it('reads back the .npz submission ralph-tui writes, and the same predictions from JSON', async () => {
    const dir = makeTempDir();
    const npz = path.join(dir, 'submission.npz');
    await writeSubmissionNpz(npz, samples);
    expect((await loadPredictions(npz)).samples).toEqual(samples);
    const json = path.join(dir, 'predictions.json');
    fs.writeFileSync(json, JSON.stringify({ samples }));
    expect((await loadPredictions(json)).samples).toEqual(samples);
  });

  it('names the file and the problem for a zip without samples and for a missing file', async () => {
    const dir = makeTempDir();
    const empty = path.join(dir, 'empty.npz');
    const { zipSync } = await import('fflate');
    fs.writeFileSync(empty, zipSync({ 'other.npy': new Uint8Array([1, 2, 3]) }));
    await expect(loadPredictions(empty)).rejects.toThrow(
      /empty\.npz: no "samples" array in the \.npz \(entries: other\.npy\)/,
    );
    await expect(loadPredictions(path.join(dir, 'absent.json'))).rejects.toThrow(
      /absent\.json: no such predictions file/,
    );
  });
});
