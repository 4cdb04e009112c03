import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it, type TestContext } from 'vitest';
import { fixturesDir, makeTempDir, runCli } from './helpers/cli.js';

/** `ralph-tui log append` of one entry by W1 into the workspace `root`. */
function appendEntry(root: string) {
  return runCli(['log', 'append', '--worker', 'W1', '--experiment', 'baseline', '--score', '1.1', '-w', root]);
}

/** Fills what is left of the disk. */
function fillDisk(disk: string): void {
  const filler = fs.openSync(path.join(disk, 'filler'), 'w');
  try {
    for (;;) fs.writeSync(filler, Buffer.alloc(4096, 1));
  } catch {
    fs.closeSync(filler);
  }
}

describe('a full disk', () => {
  const mounts: string[] = [];
  afterAll(async () => {
    for (const dir of mounts) await execa('umount', [dir], { reject: false });
  });

  /** A 1 MiB tmpfs: a really full disk. Needs root (as in CI); elsewhere the test says why it skips. */
  async function mountTinyDisk(context: TestContext, skipNote = ''): Promise<string | null> {
    const dir = makeTempDir('ralph-full-');
    const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { reject: false });
    if (mounted.exitCode !== 0) {
      console.warn(`skipped: cannot mount a tmpfs here (needs root)${skipNote}`);
      context.skip();
      return null;
    }
    mounts.push(dir);
    return dir;
  }

  it('appending to ITERATION_LOG.md says which file and why, in one sentence', async (context) => {
    const disk = await mountTinyDisk(context);
    if (!disk) return;
    // Exactly one page: the entry needs a new one, which the full disk refuses.
    fs.writeFileSync(path.join(disk, 'ITERATION_LOG.md'), `${'#'.repeat(4095)}\n`);
    fillDisk(disk);
    const result = await appendEntry(disk);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      `ralph-tui: ${path.join(disk, 'ITERATION_LOG.md')}: cannot write: no space left on the device (ENOSPC)`,
    );
  });

  it('a log that is a link to a device (/dev/full) is refused by name, not written through', async () => {
    const root = makeTempDir('ralph-devfull-');
    fs.symlinkSync('/dev/full', path.join(root, 'ITERATION_LOG.md'));
    const result = await appendEntry(root);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/ITERATION_LOG\.md is a symbolic link, not a regular file/);
  });

  it('a queue update that cannot be written leaves the queue file exactly as it was, with no temp file behind', async (context) => {
    const disk = await mountTinyDisk(context, '; the /dev/full test still covers the message');
    if (!disk) return;
    const shared = path.join(disk, 'orchestration', 'shared');
    fs.mkdirSync(shared, { recursive: true });
    const queueFile = path.join(shared, 'experiment_queue.json');
    fs.copyFileSync(path.join(fixturesDir, 'original', 'experiment_queue.json'), queueFile);
    const before = fs.readFileSync(queueFile);
    fillDisk(disk);

    const result = await runCli(['queue', 'add', '--name', 'one_more', '--family', 'polish', '-w', disk]);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^ralph-tui: .*experiment_queue\.json: cannot write: no space left on the device \(ENOSPC\); the file is unchanged$/,
    );
    expect(fs.readFileSync(queueFile).equals(before)).toBe(true);
    expect(fs.readdirSync(shared).filter((name) => name !== 'experiment_queue.json' && name !== '.locks')).toEqual([]);
  });
});
