// How a built-in agent waits out a shared file (or dataset, or disk) that is momentarily unusable instead of
// exiting: one visible line per distinct cause, a back-off between attempts, one line when it clears.
import { UserError } from '../../core/errors.js';
import type { AgentLog } from './agent-output.js';
import { pause, type PauseOutcome } from './pause.js';

/** First retry after 2 s (a half-written file is usually whole again by then), backing off to 30 s. */
const WAIT_MIN_MS = 2_000;
const WAIT_MAX_MS = 30_000;

/**
 * A fault an agent waits out: a shared file that does not parse or validate, is missing, locked or cannot be
 * written (UserError, as orchestration/ reports them), or a raw file-system refusal (ENOSPC, EACCES, ...).
 * Anything else is a bug and still ends the process.
 */
export function isWaitableFault(error: unknown): error is Error {
  return (
    error instanceof UserError || (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string')
  );
}

/** The fix a person applies for each kind of fault, so the one line on screen says what to do, not only what broke. */
const FIXES: Array<[RegExp, string]> = [
  [/ENOSPC|EDQUOT|no space left|quota/i, 'free disk space'],
  [/EROFS|read-only/i, 'make the file system writable'],
  [/EACCES|EPERM|permission denied|not permitted/i, "fix the file's permissions"],
  [/cannot lock/i, 'it clears when the other process finishes (a stale lock is broken after 15 s)'],
  [/does not exist|no such file|ENOENT/i, 'restore the file'],
  [/dataset/i, ''],
  [/JSON|field |expected|line \d+/i, 'fix or restore the file'],
];

/** The cause followed by its fix, unless the cause already says what to do. */
export function withFix(cause: string): string {
  const fix = FIXES.find(([pattern]) => pattern.test(cause))?.[1];
  return fix ? `${cause} — ${fix}` : cause;
}

export class Waiting {
  private cause: string | null = null;
  private delay: number | null = null;

  constructor(
    private readonly root: string,
    private readonly log: AgentLog,
  ) {}

  /** Shows the cause (once while it lasts) and sleeps the next back-off step, waking for STOP or abort. */
  async on(cause: string, signal?: AbortSignal): Promise<PauseOutcome> {
    this.delay = this.delay === null ? WAIT_MIN_MS : Math.min(WAIT_MAX_MS, this.delay * 2);
    if (cause !== this.cause) this.log(`WAITING: ${withFix(cause)}; retrying until it is fixed`);
    this.cause = cause;
    return pause(this.root, this.delay, signal);
  }

  /** The cause went away: say so once. */
  clear(): void {
    if (this.cause !== null) this.log('resumed: the problem is fixed');
    this.cause = null;
    this.delay = null;
  }
}
