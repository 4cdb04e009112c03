import { describe, expect, it } from 'vitest';
import { withFix } from '../../src/agents/waiting.js';

describe('the WAITING line: what stopped the agent, then what a person does about it', () => {
  it.each([
    [
      '/w/ITERATION_LOG.md: cannot write: no space left on the device (ENOSPC); the file is unchanged',
      'free disk space',
    ],
    [
      '/w/orchestration/shared/coordination.json: cannot write: the file system is read-only (EROFS)',
      'make the file system writable',
    ],
    [
      '/w/orchestration/shared/experiment_queue.json: cannot write: permission denied (EACCES)',
      "fix the file's permissions",
    ],
    [
      '/w/orchestration/shared/experiment_queue.json: invalid JSON at line 3, column 5: Unterminated string',
      'fix or restore the file',
    ],
    [
      'cannot lock /w/orchestration/shared/.locks/shared.lock: Lock file is already being held',
      'it clears when the other process finishes',
    ],
    ['/w/experiments/x/STATE.json does not exist', 'restore the file'],
  ])('%s', (cause, fix) => {
    expect(withFix(cause)).toBe(
      `${cause} — ${fix}${fix.startsWith('it clears') ? ' (a stale lock is broken after 15 s)' : ''}`,
    );
  });

  it('a cause that already says what to do (the dataset check) gets nothing added', () => {
    const cause =
      'dataset unusable: /w/data/x.json: no such dataset file (fix the file, or regenerate it with `ralph-tui generate --out /w/data/x.json`); no experiment is claimed meanwhile';
    expect(withFix(cause)).toBe(cause);
  });
});
