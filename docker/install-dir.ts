// Finds the ralph-tui install folder that is mounted read-only into agent containers.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The ralph-tui install (the folder holding its package.json), mounted read-only into agent containers.
 * Found by walking up, because this module runs both from `docker/` (tests) and `dist/docker/` (the CLI).
 */
export function ralphInstallDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (
      fs.existsSync(manifest) &&
      (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'ralph-tui'
    )
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error('cannot find the ralph-tui install folder (no package.json named ralph-tui above this module)');
    dir = parent;
  }
}
