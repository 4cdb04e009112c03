// Delivers an agent's prompt: reads it safely, pastes it, and decides when the agent is ready for it.
import path from 'node:path';
import { readText } from '../../core/safe-fs.js';
import type { PromptConfig } from '../config.js';
import { UserError } from '../../core/errors.js';

/** The text to paste for an agent's prompt config, or null when delivery is off. Read fresh on every (re)start so edited prompts apply. */
export function readPromptText(prompt: PromptConfig, workspace: string, agentId: string): string | null {
  if (prompt === 'off') return null;
  if ('text' in prompt) return prompt.text;
  const file = path.resolve(workspace, prompt.file);
  let text: string | null;
  try {
    // Never a link (its target would be pasted into the agent), a pipe, or megabytes of paste.
    text = readText(file, { maxBytes: PROMPT_MAX_BYTES });
  } catch (error) {
    throw new UserError(`${agentId}: prompt file ${(error as Error).message}`);
  }
  if (text === null)
    throw new UserError(
      `${agentId}: prompt file ${file} does not exist — run \`ralph-tui prompts\` or set the agent's prompt`,
    );
  return text;
}

/** The generated prompts are ~10 KB; a prompt of a megabyte is not one. */
const PROMPT_MAX_BYTES = 1024 * 1024;

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

/**
 * The bytes a terminal sends when text is pasted (xterm.js's prepareTextForTerminal + bracketTextForPaste;
 * @xterm/headless has no paste()): line feeds become CR, and when the program enabled bracketed paste
 * (DECSET 2004) the text is wrapped in ESC[200~ … ESC[201~ so a multi-line prompt arrives as one message
 * instead of one submit per line. Paste markers inside the text are removed so a prompt cannot end the
 * paste early.
 */
export function pasteBytes(text: string, bracketed: boolean): string {
  const body = text.replace(/\r?\n/g, '\r');
  if (!bracketed) return body;
  return `${PASTE_START}${body.split(PASTE_START).join('').split(PASTE_END).join('')}${PASTE_END}`;
}

/**
 * Claude Code (Ink) treats an Enter that arrives in the same read as the paste as part of the paste; a short
 * pause before the submitting CR makes it a separate keypress, as when a person pastes and then presses Enter.
 */
export const SUBMIT_DELAY_MS = 150;

/**
 * Whether the agent is ready for its prompt: it has printed something and then been quiet for `readySettleMs`.
 * Quiet before the first byte is not ready: a loaded machine can take longer than the settle time just to start
 * Node, and a prompt sent then arrives before the program enabled bracketed paste (seen in the up --headless
 * test). A program that never prints, or never stops printing, gets its prompt after `readyTimeoutMs`.
 * `inputReady` is false while a program known to take input through its own prompt box has not shown it yet: Claude
 * Code on a loaded machine printed its first bytes, then stayed quiet for more than the settle time before it
 * enabled bracketed paste, and the prompt went in typed (seen in the real-CLI test at load average ~13).
 */
export function readyForPrompt(
  now: number,
  startedAt: number,
  lastOutputAt: number,
  loop: { readySettleMs: number; readyTimeoutMs: number },
  inputReady = true,
): boolean {
  if (now - startedAt >= loop.readyTimeoutMs) return true;
  return inputReady && lastOutputAt > startedAt && now - lastOutputAt >= loop.readySettleMs;
}

/** Whether output has been quiet for `settleMs` since `since` and since the last output. */
export function outputSettled(now: number, since: number, lastOutputAt: number, settleMs: number): boolean {
  return now - Math.max(since, lastOutputAt) >= settleMs;
}
