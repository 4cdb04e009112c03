// Splits raw terminal input into one event per key sequence, and each bracketed paste into one event.

const ESC = '\x1b';
const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

export type KeyEvent = string | { paste: string };

/**
 * Length of the escape sequence starting at `at` (ESC [ … final byte, ESC O x, ESC + one character, and the
 * same after a second ESC, as Alt+arrow is sent), or 0 when it may still be incomplete.
 */
function escapeLength(input: string, at: number): number {
  let start = at + 1;
  if (input[start] === ESC) {
    if (start + 1 >= input.length) return 0;
    if (input[start + 1] === '[' || input[start + 1] === 'O') start++;
    else return 2;
  }
  const kind = input[start];
  if (kind === undefined) return 0;
  if (kind === '[') {
    for (let i = start + 1; i < input.length; i++) {
      const byte = input.charCodeAt(i);
      // Parameter and intermediate bytes; a second '[' right after ESC [ is the Linux console's F1–F5.
      if ((byte >= 0x20 && byte <= 0x3f) || (byte === 0x5b && i === start + 1)) continue;
      return byte >= 0x40 && byte <= 0x7e ? i + 1 - at : i - at;
    }
    return 0;
  }
  if (kind === 'O') return start + 1 < input.length ? start + 2 - at : 0;
  return start - at + ((input.codePointAt(start) ?? 0) > 0xffff ? 2 : 1);
}

/** Text between escapes, with each Backspace on its own (held Backspace arrives as one chunk of them). */
function pushText(text: string, events: KeyEvent[]): void {
  for (const part of text.split(/([\x7f\b])/)) if (part) events.push(part);
}

/** A parser that keeps an incomplete escape sequence or paste until the next chunk (or `flush`). */
export function createKeyParser() {
  let pending = '';
  return {
    push(chunk: string): KeyEvent[] {
      const input = pending + chunk;
      const events: KeyEvent[] = [];
      pending = '';
      let index = 0;
      while (index < input.length) {
        const at = input.indexOf(ESC, index);
        if (at === -1) {
          pushText(input.slice(index), events);
          break;
        }
        pushText(input.slice(index, at), events);
        if (input.startsWith(PASTE_START, at)) {
          const end = input.indexOf(PASTE_END, at + PASTE_START.length);
          if (end === -1) {
            pending = input.slice(at);
            break;
          }
          events.push({ paste: input.slice(at + PASTE_START.length, end) });
          index = end + PASTE_END.length;
          continue;
        }
        const length = escapeLength(input, at);
        if (length === 0) {
          pending = input.slice(at);
          break;
        }
        events.push(input.slice(at, at + length));
        index = at + length;
      }
      return events;
    },
    /** An escape sequence is waiting for its next bytes (a paste waits for its end instead). */
    hasPendingEscape(): boolean {
      return pending.startsWith(ESC) && !pending.startsWith(PASTE_START) && pending !== PASTE_START.slice(0, -1);
    },
    /** What is pending, as typed: a lone Esc is the Esc key once no more bytes follow. */
    flush(): KeyEvent[] {
      const rest = pending;
      pending = '';
      return rest ? [rest] : [];
    },
  };
}
