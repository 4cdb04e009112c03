// Errors caused by bad input (UserError) and the one-sentence messages made from zod and file-system failures.
import type { ZodError } from 'zod';

/**
 * An error caused by the user's input or environment (bad file, missing engine, unknown id).
 * The CLI prints only its message — one sentence, no stack trace — and exits with `exitCode`.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Renders a zod path like `samples[3].Y_noisy[12]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

/** One clear sentence for the first problem zod found, naming the file and the field. */
export function zodToUserError(error: ZodError, source: string, exitCode = 2): UserError {
  const issue = error.issues[0];
  const where = issue ? formatPath(issue.path) : '(root)';
  const what = issue ? issue.message : 'invalid value';
  const more =
    error.issues.length > 1
      ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})`
      : '';
  return new UserError(`${source}: field ${where}: ${what}${more}`, exitCode);
}

/** What the environment's refusals mean, in words (the errno code stays in the message for searching). */
const FILE_SYSTEM_CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/**
 * A file-system refusal (full disk, permissions, read-only mount) as one sentence naming the file, or null for
 * anything else. Exit code 1: the input was fine, the machine refused.
 */
export function fileSystemError(error: unknown, file?: string, outcome = ''): UserError | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (!code || !(code in FILE_SYSTEM_CAUSES)) return null;
  const where = file ?? (error as NodeJS.ErrnoException).path;
  return new UserError(`${where ? `${where}: ` : ''}cannot write: ${FILE_SYSTEM_CAUSES[code]} (${code})${outcome}`, 1);
}
