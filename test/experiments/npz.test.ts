import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { writeSubmissionNpz } from '../../solver/npz.js';
import { makeTempDir } from '../helpers/cli.js';

const python = '/usr/bin/python3';
const hasNumpy = await execa(python, ['-c', 'import numpy'], { reject: false }).then(
  (r) => r.exitCode === 0,
  () => false,
);
if (!hasNumpy)
  console.warn(`SKIPPED: the .npz submission is not checked with NumPy because ${python} cannot import numpy`);

/** Loads a submission the way the organisers' scorer does and prints it back as JSON (tuples → lists). */
const loader = `
import json, sys, numpy as np
samples = np.load(sys.argv[1], allow_pickle=True)["samples"]
print(json.dumps({"dtype": str(samples.dtype), "shape": list(samples.shape),
  "tuple": all(isinstance(s, tuple) for d in samples for c in d["estimated_sources"] for s in c),
  "samples": [{"sample_id": d["sample_id"], "estimated_sources": d["estimated_sources"]} for d in samples]}))
`;

describe('.npz submission', () => {
  it.skipIf(!hasNumpy)(
    'loads with np.load(allow_pickle=True)["samples"] as an object array of dicts with (x, y, q) tuples',
    async () => {
      const file = path.join(makeTempDir(), 'submission.npz');
      const predictions = [
        { sample_id: 'sample_0', estimated_sources: [[[1, 0.5, 2]], [[1.25, 0.375, 1.5]]] },
        {
          sample_id: 'sample_1',
          estimated_sources: [
            [
              [0.3, 0.4, 1.0],
              [1.7, 0.6, 0.9],
            ],
          ],
        },
        { sample_id: 'sample_2', estimated_sources: [] },
      ];
      await writeSubmissionNpz(file, predictions);
      const result = await execa(python, ['-c', loader, file]);
      const loaded = JSON.parse(result.stdout);
      expect(loaded.dtype).toBe('object');
      expect(loaded.shape).toEqual([3]);
      expect(loaded.tuple).toBe(true);
      expect(loaded.samples).toEqual(predictions);
      expect(fs.readdirSync(path.dirname(file))).toEqual(['submission.npz']);
    },
  );
});
