// The Ralph loop's pure decisions: when to restart, when to nudge, and whether an agent is wrapping up.
import { StringDecoder } from 'node:string_decoder';
import { stripVTControlCharacters } from 'node:util';
import type { LoopConfig } from '../config.js';

/**
 * The Ralph loop's decisions, as pure functions: when to restart an exited agent, when to nudge an idle
 * one, and whether it just said it is wrapping up. The AgentController applies them.
 */

export interface ExitFacts {
  exitCode: number;
  signal?: number;
  /** How long the session ran. */
  sessionMs: number;
  /** Error/short exits in a row before this one. */
  failures: number;
}

export interface RestartPlan {
  delayMs: number;
  /** Error/short exits in a row including this one (0 after a clean exit). */
  failures: number;
  reason: string;
}

/**
 * Short delay after a clean exit; capped exponential backoff after an error exit or a session shorter than
 * `shortSessionSeconds` (an agent that dies at once must not spin, burning CPU and flooding the log).
 */
export function planRestart(
  facts: ExitFacts,
  loop: Pick<LoopConfig, 'restartDelayMs' | 'errorBackoffMs' | 'maxBackoffMs' | 'shortSessionSeconds'>,
): RestartPlan {
  const short = facts.sessionMs < loop.shortSessionSeconds * 1000;
  const error = facts.exitCode !== 0 || (facts.signal ?? 0) !== 0;
  if (!error && !short) return { delayMs: loop.restartDelayMs, failures: 0, reason: 'clean exit' };
  const failures = facts.failures + 1;
  const delayMs = Math.min(loop.errorBackoffMs * 2 ** (failures - 1), loop.maxBackoffMs);
  const what = error ? `exit code ${facts.exitCode}${facts.signal ? `, signal ${facts.signal}` : ''}` : 'clean exit';
  const reason = short
    ? `${what} after a short session of ${(facts.sessionMs / 1000).toFixed(1)} s, failure ${failures} in a row`
    : `${what}, failure ${failures} in a row`;
  return { delayMs, failures, reason };
}

export interface IdleFacts {
  now: number;
  /** Last time the agent printed anything. */
  lastOutputAt: number;
  /** Last nudge (or prompt) sent, 0 if none. */
  lastNudgeAt: number;
  /** The agent waits for a person: typing a nudge would answer its question, so never nudge then. */
  needsInput: boolean;
}

/** Idle for longer than `idleNudgeMinutes` since the last output and since the last nudge → nudge. */
export function shouldIdleNudge(facts: IdleFacts, loop: Pick<LoopConfig, 'idleNudgeMinutes'>): boolean {
  if (facts.needsInput) return false;
  const quietSince = Math.max(facts.lastOutputAt, facts.lastNudgeAt);
  return facts.now - quietSince >= loop.idleNudgeMinutes * 60_000;
}

/**
 * Finds wrap-up phrases ("Session complete", "Summary of", …) in an agent's output stream. Phrases can be
 * split across chunks and wrapped in colour codes, so the watcher strips control sequences, folds
 * whitespace, and keeps a short tail of the previous text; a phrase is reported once, when its last
 * character arrives.
 */
export class PhraseWatcher {
  private readonly decoder = new StringDecoder('utf8');
  private readonly phrases: string[];
  private readonly keep: number;
  private tail = '';
  private pending = '';

  constructor(phrases: readonly string[]) {
    this.phrases = phrases.map((phrase) => fold(phrase).toLowerCase()).filter(Boolean);
    this.keep = Math.max(0, ...this.phrases.map((phrase) => phrase.length)) + 16;
  }

  /** Feeds raw output; returns the first phrase that completed in this chunk, if any. */
  feed(chunk: Uint8Array | string): string | undefined {
    if (this.phrases.length === 0) return undefined;
    let text =
      this.pending +
      (typeof chunk === 'string'
        ? chunk
        : this.decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    // A control sequence cut by the chunk boundary waits for its end: Claude Code redraws the same frame with the
    // same pty read boundary, so "Session␛[5|5Gcomplete" was missed on every redraw (seen in the real-CLI test).
    const cut = INCOMPLETE_CSI.exec(text);
    this.pending = cut ? cut[0] : '';
    if (cut) text = text.slice(0, cut.index);
    // Claude Code 2.1.332 draws some spaces as cursor moves: "Session␛[55Gcomplete." (seen in a transcript) is two words.
    let fresh = fold(stripVTControlCharacters(text.replace(CURSOR_MOVE, ' '))).toLowerCase();
    if (this.tail.endsWith(' ') && fresh.startsWith(' ')) fresh = fresh.slice(1);
    if (!fresh) return undefined;
    const combined = this.tail + fresh;
    const startOfFresh = this.tail.length;
    this.tail = combined.slice(-this.keep);
    for (const phrase of this.phrases) {
      const at = combined.lastIndexOf(phrase);
      if (at >= 0 && at + phrase.length > startOfFresh) return phrase;
    }
    return undefined;
  }

  reset(): void {
    this.tail = '';
    this.pending = '';
  }

  /** Whether a text (an input sent to the agent) holds the phrase, a phrase as feed() returns it. */
  holds(text: string, phrase: string): boolean {
    return fold(text).toLowerCase().includes(phrase);
  }

  /**
   * How many times the phrases appear in a screen's text, and the last one found. The byte stream alone misses
   * phrases a differential renderer never writes whole: Claude Code 2.1.332 drew "Session complete." over a previous
   * frame as "S␛[49Gssio␛[54G complete." (only the changed cells), so the screen is read too.
   */
  onScreen(text: string): { count: number; phrase?: string } {
    const screen = fold(text).toLowerCase();
    let count = 0;
    let found: string | undefined;
    for (const phrase of this.phrases) {
      for (let at = screen.indexOf(phrase); at >= 0; at = screen.indexOf(phrase, at + phrase.length)) {
        count += 1;
        found = phrase;
      }
    }
    return { count, phrase: found };
  }
}

const CURSOR_MOVE = /\x1b\[[\d;]*[A-HJKdf`]/g;
const INCOMPLETE_CSI = /\x1b(\[[\d;?]*)?$/;

/** Control characters (CR, LF, BEL, …) and runs of whitespace become one space, so phrases match across lines and cursor moves. */
function fold(text: string): string {
  return text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ');
}
