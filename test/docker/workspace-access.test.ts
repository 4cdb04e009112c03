import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertAgentCanWrite, workspaceUser } from '../../docker/index.js';
import { makeTempDir } from '../helpers/cli.js';

/** A workspace as `ralph-tui init` leaves it, owned by whoever runs the tests. */
function workspace(): string {
  const root = makeTempDir('docker-access-');
  fs.mkdirSync(path.join(root, 'orchestration', 'shared'), { recursive: true });
  fs.writeFileSync(path.join(root, 'orchestration', 'shared', 'experiment_queue.json'), '{}');
  fs.writeFileSync(path.join(root, 'ITERATION_LOG.md'), '# log\n');
  fs.writeFileSync(path.join(root, 'ralph.config.json'), '{}');
  return root;
}

const me = `${process.getuid!()}:${process.getgid!()}`;

describe('workspace access for agents in containers', () => {
  it('lets the owner (the uid agents run as) write everything', () => {
    expect(() => assertAgentCanWrite(workspace(), me)).not.toThrow();
  });

  it('names the first file another uid could not write, and the chown that fixes it', () => {
    const root = workspace();
    expect(() => assertAgentCanWrite(root, '4242:4242')).toThrow(
      `agent containers run as uid 4242, but orchestration in ${root} belongs to uid ${process.getuid!()} and they cannot write it — run \`chown -R 4242:4242 ${root}\``,
    );
  });

  it('accepts group- and world-writable files, and ignores what agents never write (the config)', () => {
    const root = workspace();
    fs.chmodSync(path.join(root, 'ralph.config.json'), 0o600);
    for (const file of [
      'orchestration',
      'orchestration/shared',
      'orchestration/shared/experiment_queue.json',
      'ITERATION_LOG.md',
    ]) {
      fs.chmodSync(path.join(root, file), fs.statSync(path.join(root, file)).isDirectory() ? 0o777 : 0o666);
    }
    expect(() => assertAgentCanWrite(root, '4242:4242')).not.toThrow();
    fs.chmodSync(path.join(root, 'orchestration', 'shared'), 0o775);
    expect(() => assertAgentCanWrite(root, `4242:${process.getgid!()}`)).not.toThrow();
    expect(() => assertAgentCanWrite(root, '4242:4242')).toThrow('but orchestration/shared in');
  });

  it.runIf(process.getuid?.() === 0)(
    'runs agents as the workspace owner, or refuses a private root-owned workspace',
    () => {
      const root = workspace();
      fs.chownSync(root, 1001, 1002);
      expect(workspaceUser(root)).toBe('1001:1002');
      fs.chownSync(root, 0, 0);
      fs.chmodSync(root, 0o755);
      expect(() => workspaceUser(root)).toThrow(
        `workspace ${root} is owned by root, but agent containers run as a non-root user (uid 1000)`,
      );
      fs.chmodSync(root, 0o777);
      expect(workspaceUser(root)).toBe('1000:1000');
    },
  );
});
