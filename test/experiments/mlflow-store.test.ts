import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  logMlflowRun,
  newExperimentId,
  userName,
  yamlText,
  type MlflowRun,
} from '../../src/experiments/mlflow-store.js';
import { hostPathOf } from '../../src/experiments/record-run.js';
import { makeTempDir, repoRoot } from '../helpers/cli.js';

const base = {
  params: { max_fevals_1src: 20, sigma0: 0.15, inits: ['centroid', 'hottest'] },
  startTime: 1_700_000_000_000,
  endTime: 1_700_000_060_000,
} as const;
const run = (runName: string, extra: Partial<MlflowRun> = {}): MlflowRun => ({
  ...base,
  runName,
  status: 'FINISHED',
  metrics: { submission_score: 1.1 },
  ...extra,
});

/** Python's YAML (what MLflow reads meta.yaml with); /usr/bin/python3 with Debian's python3-yaml (CI installs it). */
function pythonYaml(file: string): unknown {
  const script = 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))';
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }));
}

/** Whether another uid can reach `file`: every folder above it searchable by others, the file readable. */
function readableByOthers(file: string): boolean {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if ((fs.statSync(dir).mode & 0o001) === 0) return false;
    if (path.dirname(dir) === dir) break;
  }
  return (fs.statSync(file).mode & 0o004) !== 0;
}

/** Every file and folder under `dir` with its content: a before/after picture of an mlruns tree. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    out.set(path.relative(dir, file), entry.isDirectory() ? '<dir>' : fs.readFileSync(file, 'utf8'));
  }
  return out;
}

function writeExperiment(dir: string, meta: Record<string, unknown>): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'meta.yaml'), YAML.stringify(meta));
}

/**
 * An mlruns tree as MLflow ≥ 2 lays it out: Default experiment 0, a user's experiments with random 18-digit
 * ids (two of them one rounding step apart: above 2^53, Number(id) + 1 named the other one), a deleted
 * experiment in .trash — one of them our own experiment's name.
 */
function mlflowTree(root: string): string {
  const mlruns = path.join(root, 'mlruns');
  const experiment = (id: string, name: string, stage = 'active', parent = mlruns) =>
    writeExperiment(path.join(parent, id), {
      artifact_location: `file://${mlruns}/${id}`,
      creation_time: 1,
      experiment_id: id,
      last_update_time: 1,
      lifecycle_stage: stage,
      name,
    });
  experiment('0', 'Default');
  experiment('606783375233873416', 'users-own');
  experiment('606783375233873400', 'users-other');
  const userRun = path.join(mlruns, '606783375233873416', '1c6b2d5b909041df93e6e00b960de019');
  writeExperiment(userRun, {
    run_id: '1c6b2d5b909041df93e6e00b960de019',
    experiment_id: '606783375233873416',
    status: 3,
  });
  fs.mkdirSync(path.join(userRun, 'metrics'));
  fs.writeFileSync(path.join(userRun, 'metrics', 'loss'), '1721450907230 0.25 0\n');
  experiment('912451224716113211', 'heat-signature-zero', 'deleted', path.join(mlruns, '.trash'));
  return mlruns;
}

describe('logMlflowRun (MLflow file store layout)', () => {
  it('creates experiment heat-signature-zero once (with Default and .trash in a new store) and writes each run with meta, params, metrics and tags', async () => {
    const root = makeTempDir();
    const mlruns = path.join(root, 'mlruns');
    const first = await logMlflowRun(
      mlruns,
      run('baseline-1', { metrics: { submission_score: 1.1464, rmse_2src: null } }),
      { lockDir: path.join(root, 'locks') },
    );
    const second = await logMlflowRun(mlruns, run('baseline-2', { status: 'KILLED' }), {
      lockDir: path.join(root, 'locks'),
    });

    expect(second.experimentId).toBe(first.experimentId);
    expect(first.experimentId).toMatch(/^[1-9]\d{17}$/);
    expect(fs.readdirSync(mlruns).sort()).toEqual(['.trash', '0', first.experimentId].sort());
    const experiment = YAML.parse(fs.readFileSync(path.join(mlruns, first.experimentId, 'meta.yaml'), 'utf8'));
    expect(experiment).toMatchObject({
      name: 'heat-signature-zero',
      experiment_id: first.experimentId,
      lifecycle_stage: 'active',
    });
    expect(YAML.parse(fs.readFileSync(path.join(mlruns, '0', 'meta.yaml'), 'utf8')).name).toBe('Default');

    const runDir = path.join(mlruns, first.experimentId, first.runId);
    expect(first.runDir).toBe(runDir);
    expect(first.runId).toMatch(/^[0-9a-f]{32}$/);
    const meta = YAML.parse(fs.readFileSync(path.join(runDir, 'meta.yaml'), 'utf8'));
    expect(meta).toMatchObject({
      run_id: first.runId,
      run_uuid: first.runId,
      experiment_id: first.experimentId,
      run_name: 'baseline-1',
      status: 3,
      start_time: base.startTime,
      end_time: base.endTime,
      lifecycle_stage: 'active',
    });
    expect(meta.artifact_uri).toBe(`${experiment.artifact_location}/${first.runId}/artifacts`);
    expect(YAML.parse(fs.readFileSync(path.join(second.runDir, 'meta.yaml'), 'utf8')).status).toBe(5);
    expect(fs.readFileSync(path.join(runDir, 'params', 'max_fevals_1src'), 'utf8')).toBe('20');
    expect(fs.readFileSync(path.join(runDir, 'params', 'inits'), 'utf8')).toBe('["centroid","hottest"]');
    expect(fs.readFileSync(path.join(runDir, 'metrics', 'submission_score'), 'utf8')).toBe(
      `${base.endTime} 1.1464 0\n`,
    );
    expect(fs.existsSync(path.join(runDir, 'metrics', 'rmse_2src'))).toBe(false);
    expect(fs.readFileSync(path.join(runDir, 'tags', 'mlflow.runName'), 'utf8')).toBe('baseline-1');
    // Nothing is staged inside mlruns (MLflow reads every folder there), and the staging area is gone.
    expect(
      fs
        .readdirSync(path.join(mlruns, first.experimentId))
        .filter((name) => name !== 'meta.yaml')
        .sort(),
    ).toEqual([first.runId, second.runId].sort());
    expect(fs.readdirSync(root).sort()).toEqual(['locks', 'mlruns']);
  });

  it('given a store MLflow made (18-digit ids, .trash, our name deleted), changes nothing of it and adds only a new experiment with a free id', async () => {
    const root = makeTempDir();
    const mlruns = mlflowTree(root);
    const before = snapshot(mlruns);

    const logged = await logMlflowRun(mlruns, run('after-delete'), { lockDir: path.join(root, 'locks') });

    const after = snapshot(mlruns);
    for (const [file, content] of before) expect(after.get(file), file).toBe(content);
    const added = [...after.keys()].filter((file) => !before.has(file));
    expect(added.every((file) => file.startsWith(`${logged.experimentId}`))).toBe(true);
    expect(['0', '606783375233873416', '606783375233873400', '912451224716113211']).not.toContain(logged.experimentId);
    // The deleted experiment keeps its name (MLflow can restore it); runs go to the next free name.
    expect(YAML.parse(after.get(path.join(logged.experimentId, 'meta.yaml'))!).name).toBe('heat-signature-zero-2');
    expect(added).toContain(path.join(logged.experimentId, logged.runId, 'meta.yaml'));
    // No Default experiment is added to a store that has one, nor one to a store MLflow made without it.
    expect(fs.readdirSync(mlruns).filter((name) => /^\d+$/.test(name))).toHaveLength(4);
  });

  it('logs into an existing active experiment under its own artifact location', async () => {
    const root = makeTempDir();
    const mlruns = mlflowTree(root);
    writeExperiment(path.join(mlruns, '123456789012345678'), {
      artifact_location: 'file:///host/heat/mlruns/123456789012345678',
      experiment_id: '123456789012345678',
      lifecycle_stage: 'active',
      name: 'heat-signature-zero',
    });
    const logged = await logMlflowRun(mlruns, run('into-existing'), { lockDir: path.join(root, 'locks') });
    expect(logged.experimentId).toBe('123456789012345678');
    expect(YAML.parse(fs.readFileSync(path.join(logged.runDir, 'meta.yaml'), 'utf8')).artifact_uri).toBe(
      `file:///host/heat/mlruns/123456789012345678/${logged.runId}/artifacts`,
    );
  });

  it('makes ids as MLflow does: 18 digits without a leading zero, all different', () => {
    const ids = Array.from({ length: 200 }, newExperimentId);
    for (const id of ids) expect(id).toMatch(/^[1-9]\d{17}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('writes YAML that Python’s YAML 1.1 reads back as written (on, no, yes, 1:30, 0o17, 1e3 stay strings)', async () => {
    const root = makeTempDir();
    const tricky = [
      'on',
      'no',
      'yes',
      'off',
      'y',
      '1:30',
      '0o17',
      '017',
      '1e3',
      '1_000',
      '~',
      'null',
      '2026-01-01',
      '0x1F',
      '.inf',
    ];
    const file = path.join(root, 'values.yaml');
    const values = Object.fromEntries(tricky.map((value, i) => [`k${i}`, value]));
    fs.writeFileSync(file, yamlText({ ...values, number: 1_700_000_000_000, status: 3, tags: [], empty: '' }));
    expect(pythonYaml(file)).toEqual({ ...values, number: 1_700_000_000_000, status: 3, tags: [], empty: '' });

    const logged = await logMlflowRun(path.join(root, 'mlruns'), run('1:30'), { lockDir: path.join(root, 'locks') });
    expect(pythonYaml(path.join(logged.runDir, 'meta.yaml'))).toMatchObject({
      run_name: '1:30',
      experiment_id: logged.experimentId,
      status: 3,
      start_time: base.startTime,
    });
  });

  it('records artifact URIs under the host’s workspace path when told it (a run inside a container)', async () => {
    const root = makeTempDir();
    const hostPath = hostPathOf(root, '/home/me/heat');
    expect(hostPath(path.join(root, 'mlruns', '7'))).toBe('/home/me/heat/mlruns/7');
    expect(hostPath('/elsewhere/x')).toBe('/elsewhere/x');
    const logged = await logMlflowRun(path.join(root, 'mlruns'), run('in-container'), {
      lockDir: path.join(root, 'locks'),
      hostPath,
    });
    const meta = YAML.parse(fs.readFileSync(path.join(logged.runDir, 'meta.yaml'), 'utf8'));
    expect(meta.artifact_uri).toBe(`file:///home/me/heat/mlruns/${logged.experimentId}/${logged.runId}/artifacts`);
    // The files themselves are where this process sees them.
    expect(fs.existsSync(path.join(logged.runDir, 'params', 'sigma0'))).toBe(true);
  });

  it('records the user as MLflow’s getpass does when the uid has no passwd entry: LOGNAME, USER, else uid-<n>', () => {
    const noEntry = () => {
      throw Object.assign(new Error('ENOENT: no such file or directory, uv_os_get_passwd'), { code: 'ENOENT' });
    };
    const saved = { LOGNAME: process.env.LOGNAME, USER: process.env.USER, USERNAME: process.env.USERNAME };
    try {
      process.env.LOGNAME = 'ana';
      expect(userName(noEntry)).toBe('ana');
      delete process.env.LOGNAME;
      delete process.env.USER;
      delete process.env.USERNAME;
      expect(userName(noEntry)).toBe(`uid-${process.getuid!()}`);
    } finally {
      for (const [key, value] of Object.entries(saved))
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
    }
  });

  // The real thing needs root (to switch uid) and an install other users can read (not under a 0700 folder).
  it.skipIf(process.getuid?.() !== 0 || !readableByOthers(process.execPath) || !readableByOthers(repoRoot))(
    'logs a run for a uid without a passwd entry (a container run as the host user’s 501:20)',
    () => {
      const root = makeTempDir();
      fs.chmodSync(root, 0o777);
      const module = path.join(repoRoot, 'dist', 'src', 'experiments', 'mlflow-store.js');
      const script = `import(${JSON.stringify(module)}).then((m) => m.logMlflowRun(${JSON.stringify(path.join(root, 'mlruns'))}, ${JSON.stringify(run('no-passwd'))}, { lockDir: ${JSON.stringify(path.join(root, 'locks'))} })).then((r) => console.log(r.runDir))`;
      const runDir = execFileSync(process.execPath, ['-e', script], {
        uid: 54321,
        gid: 54321,
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
      }).trim();
      expect(fs.readFileSync(path.join(runDir, 'tags', 'mlflow.user'), 'utf8')).toBe('uid-54321');
      expect(YAML.parse(fs.readFileSync(path.join(runDir, 'meta.yaml'), 'utf8')).user_id).toBe('uid-54321');
    },
  );
});
