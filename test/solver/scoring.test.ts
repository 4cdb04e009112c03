import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../solver/dataset.js';
import { distinctCandidates, scoreDataset, scoreSample, type Candidate } from '../../solver/scoring.js';
import { fixturesDir } from '../helpers/cli.js';

const reference = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'scoring-reference.json'), 'utf8')) as {
  cases: { sample_id: string; case: string; estimated_sources: Candidate[]; expected_score: number }[];
};
const dataset = await loadDataset(path.join(fixturesDir, 'synthetic-6.json'));
const sampleById = (id: string) => dataset.samples.find((s) => s.sample_id === id)!;

describe('official scoring', () => {
  for (const c of reference.cases) {
    it(`${c.sample_id} / ${c.case} scores ${c.expected_score} to 1e-9`, () => {
      const result = scoreSample(sampleById(c.sample_id), dataset.meta, c.estimated_sources);
      expect(Math.abs(result.score - c.expected_score)).toBeLessThanOrEqual(1e-9);
      expect(result.against).toBe('Y');
      expect(result.losses).toHaveLength(result.n_valid);
    });
  }

  it('keeps a candidate only when it is farther than tau from every kept one, at most three', () => {
    const a = [[1, 0.5, 1]];
    const nearA = [[1.02, 0.5, 1]];
    const b = [[0.2, 0.5, 1]];
    const c = [[1.8, 0.5, 1]];
    const d = [[1, 0.9, 0.5]];
    expect(distinctCandidates([a, nearA, b, c, d])).toEqual([a, b, c]);
    // Source order inside a candidate does not matter: both are sorted before comparing.
    expect(
      distinctCandidates([
        [
          [1, 0.5, 1],
          [0.2, 0.2, 1],
        ],
        [
          [0.2, 0.2, 1],
          [1, 0.5, 1],
        ],
      ]),
    ).toHaveLength(1);
  });

  it('compares candidates of different source counts on the shorter one, as the organisers’ zip of sorted sources does', () => {
    const sample = sampleById('sample_0');
    const truth = sample.true_sources!.map((s) => [s.x, s.y, s.q]);
    expect(truth).toHaveLength(1);
    // The truth plus an extra source that sorts after it: zip pairs truth with truth, distance 0, one kept.
    const variantAfter = [...truth, [1.95, 0.8, 1.0]];
    const both = scoreSample(sample, dataset.meta, [truth, variantAfter]);
    expect(both.n_valid).toBe(1);
    expect(both.score).toBeCloseTo(1.1, 9);
    // An extra source that sorts first is what zip compares with the truth: far apart, both kept.
    const variantBefore = [[0.3, 0.8, 1.0], ...truth];
    const alone = scoreSample(sample, dataset.meta, [variantBefore]);
    const mixed = scoreSample(sample, dataset.meta, [truth, variantBefore]);
    expect(mixed.n_valid).toBe(2);
    expect(mixed.score).toBeCloseTo((1 + (alone.score - 0.1)) / 2 + 0.2, 12);
    expect(
      distinctCandidates([
        [
          [1, 0.5, 1],
          [1.5, 0.5, 1],
        ],
        [[1, 0.5, 1]],
      ]),
    ).toHaveLength(1);
  });

  it('scores 0 with no candidates and counts missing samples as 0', () => {
    expect(scoreSample(sampleById('sample_0'), dataset.meta, []).score).toBe(0);
    const truth = dataset.samples[0].true_sources!.map((s): [number, number, number] => [s.x, s.y, s.q]);
    const partial = scoreDataset(dataset, { samples: [{ sample_id: 'sample_0', estimated_sources: [truth] }] });
    expect(partial.missing).toHaveLength(5);
    expect(partial.score).toBeCloseTo(1.1 / 6, 12);
    const subset = scoreDataset(
      dataset,
      { samples: [{ sample_id: 'sample_0', estimated_sources: [truth] }] },
      { onlyPredicted: true },
    );
    expect(subset.score).toBeCloseTo(1.1, 12);
  });

  it('scores against Y_noisy as a proxy when the data has no clean Y', () => {
    const noisyOnly = { ...dataset, samples: dataset.samples.map(({ Y: _clean, ...rest }) => rest) };
    const truth = noisyOnly.samples.map((s) => ({
      sample_id: s.sample_id,
      estimated_sources: [s.true_sources!.map((t): [number, number, number] => [t.x, t.y, t.q])],
    }));
    const result = scoreDataset(noisyOnly, { samples: truth });
    expect(result.against).toBe('Y_noisy');
    // Noisy samples lose accuracy to the noise; noise-free ones (noise_std 0) still score 1.1.
    const byId = new Map(result.samples.map((s) => [s.sample_id, s]));
    for (const s of noisyOnly.samples) {
      const scored = byId.get(s.sample_id)!;
      if (s.sample_metadata.noise_std === 0) expect(scored.score).toBeCloseTo(1.1, 9);
      else expect(scored.score).toBeLessThan(1.1 - 0.05);
    }
  });
});
