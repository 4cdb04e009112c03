// The screen's crash log: .ralph/crash.log, private, redacted, never written through a link.
import path from 'node:path';
import { plainText } from '../../core/plain-text.js';
import { redactSecrets } from '../../core/redact.js';
import { appendText, ensureDir } from '../../core/safe-fs.js';

/** Appends the crash (its stack) to `file`; best effort: restoring the terminal matters more. */
export function writeCrashLog(file: string, error: unknown, secrets: readonly string[]): void {
  try {
    ensureDir(path.dirname(file), { private: true });
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    appendText(file, redactSecrets(`${new Date().toISOString()} ralph-tui crashed\n${detail}\n\n`, secrets), {
      private: true,
    });
  } catch {
    // A full disk or a refused path: the message on stderr still says what happened.
  }
}

/** The one line printed on stderr after a crash (the message may quote files agents wrote). */
export function crashLine(error: unknown, file: string, secrets: readonly string[]): string {
  const text = error instanceof Error ? error.message : String(error);
  return `ralph-tui: crashed (${plainText(redactSecrets(text, secrets))}); details in ${file}\n`;
}
