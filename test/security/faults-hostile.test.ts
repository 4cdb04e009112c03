import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspacePaths } from '../../core/workspace-paths.js';
import { drainPending, openOutbox, outboxDir, pendingOutboxes } from '../../orchestration/outbox.js';
import { DatasetCheck } from '../../src/agents/dataset-check.js';
import { makeTempDir } from '../helpers/cli.js';

/** A host file outside the workspace that an agent would like the supervisor to read or overwrite. */
function hostSecret(): string {
  const file = path.join(makeTempDir('ralph-host-'), 'secret.json');
  fs.writeFileSync(file, JSON.stringify({ key: 'k', kind: 'worker-result', payload: {}, done: [], outputs: {} }));
  return file;
}

describe('the result outbox and the dataset check go through the safe file layer', () => {
  it('given a link to a host file planted in an outbox, when pending results are drained, then it is not taken for a journal and the host file is untouched', async () => {
    const root = makeTempDir();
    workspacePaths(root);
    const secret = hostSecret();
    const before = fs.readFileSync(secret, 'utf8');
    const dir = outboxDir(root, 'exp1');
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(secret, path.join(dir, '20260101T000000000-x.json'));
    expect(pendingOutboxes(root)).toEqual([]);
    let applied = 0;
    const drained = await drainPending(root, {
      'worker-result': [{ name: 'step', apply: async () => void applied++ }],
    });
    expect(drained.complete).toBe(true);
    expect(applied).toBe(0);
    expect(fs.readFileSync(secret, 'utf8')).toBe(before);
    expect(fs.lstatSync(path.join(dir, '20260101T000000000-x.json')).isSymbolicLink()).toBe(true);
  });

  it('given an outbox folder that is a link out of the workspace, when a journal is opened, then it is refused by name and nothing is written outside', async () => {
    const root = makeTempDir();
    workspacePaths(root);
    const outside = makeTempDir('ralph-host-');
    fs.mkdirSync(path.join(root, 'experiments', 'exp1'), { recursive: true });
    fs.symlinkSync(outside, outboxDir(root, 'exp1'));
    await expect(
      openOutbox(outboxDir(root, 'exp1'), { key: 'k1', kind: 'worker-result', payload: {} }),
    ).rejects.toThrow(/outbox/);
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('given the dataset replaced by a link to a host file, when checked, then the problem names the link and the host file is not read', async () => {
    const root = makeTempDir();
    workspacePaths(root);
    const file = path.join(root, 'data', 'synthetic.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.symlinkSync(hostSecret(), file);
    const problem = await new DatasetCheck(file).problem();
    expect(problem).toMatch(/symbolic link/);
    expect(problem).toContain(file);
  });
});
