import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { logMlflowRun } from '../../src/experiments/mlflow-store.js';
import { makeTempDir } from '../helpers/cli.js';

describe('logMlflowRun (MLflow file store layout)', () => {
  it('creates experiment heat-signature-zero once and writes each run with meta, params, metrics and tags', async () => {
    const root = makeTempDir();
    const mlruns = path.join(root, 'mlruns');
    const base = { params: { max_fevals_1src: 20, sigma0: 0.15, inits: ['centroid', 'hottest'] }, startTime: 1_700_000_000_000, endTime: 1_700_000_060_000 } as const;
    const first = await logMlflowRun(mlruns, { ...base, runName: 'baseline-1', status: 'FINISHED', metrics: { submission_score: 1.1464, rmse_2src: null } }, path.join(root, 'locks'));
    const second = await logMlflowRun(mlruns, { ...base, runName: 'baseline-2', status: 'KILLED', metrics: { submission_score: 1.1 } }, path.join(root, 'locks'));

    expect(second.experimentId).toBe(first.experimentId);
    expect(fs.readdirSync(mlruns).sort()).toEqual(['0', first.experimentId].sort());
    const experiment = YAML.parse(fs.readFileSync(path.join(mlruns, first.experimentId, 'meta.yaml'), 'utf8'));
    expect(experiment).toMatchObject({ name: 'heat-signature-zero', experiment_id: first.experimentId, lifecycle_stage: 'active' });
    expect(YAML.parse(fs.readFileSync(path.join(mlruns, '0', 'meta.yaml'), 'utf8')).name).toBe('Default');

    const runDir = path.join(mlruns, first.experimentId, first.runId);
    expect(first.runDir).toBe(runDir);
    expect(first.runId).toMatch(/^[0-9a-f]{32}$/);
    const meta = YAML.parse(fs.readFileSync(path.join(runDir, 'meta.yaml'), 'utf8'));
    expect(meta).toMatchObject({ run_id: first.runId, run_uuid: first.runId, experiment_id: first.experimentId, run_name: 'baseline-1', status: 3, start_time: base.startTime, end_time: base.endTime, lifecycle_stage: 'active' });
    expect(YAML.parse(fs.readFileSync(path.join(second.runDir, 'meta.yaml'), 'utf8')).status).toBe(5);
    expect(fs.readFileSync(path.join(runDir, 'params', 'max_fevals_1src'), 'utf8')).toBe('20');
    expect(fs.readFileSync(path.join(runDir, 'params', 'inits'), 'utf8')).toBe('["centroid","hottest"]');
    expect(fs.readFileSync(path.join(runDir, 'metrics', 'submission_score'), 'utf8')).toBe(`${base.endTime} 1.1464 0\n`);
    expect(fs.existsSync(path.join(runDir, 'metrics', 'rmse_2src'))).toBe(false);
    expect(fs.readFileSync(path.join(runDir, 'tags', 'mlflow.runName'), 'utf8')).toBe('baseline-1');
    // No staging folder is left behind.
    expect(fs.readdirSync(path.join(mlruns, first.experimentId)).filter((name) => name !== 'meta.yaml').sort()).toEqual([first.runId, second.runId].sort());
  });
});
