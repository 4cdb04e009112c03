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
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  return new UserError(`${source}: field ${where}: ${what}${more}`, exitCode);
}
