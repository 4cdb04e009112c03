/**
 * A minimal one-level JSON scanner: the spans of an object's properties or an array's items,
 * skipping over nested values without building them. The format-preserving rewrite only needs the
 * offsets along the paths that changed; a full syntax tree of a 250 KB queue (jsonc-parser's
 * parseTree) cost ~30% of a claim's CPU (measured), this scan a fraction of that. Input is text
 * that JSON.parse accepted, so the scanner does not validate.
 */
export interface Span {
  start: number;
  end: number;
}

export interface PropSpan {
  key: string;
  /** Where the property starts (its key's opening quote). */
  start: number;
  value: Span;
}

const QUOTE = 34;
const BACKSLASH = 92;

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

export function skipSpace(text: string, pos: number): number {
  while (pos < text.length && isSpace(text.charCodeAt(pos))) pos++;
  return pos;
}

/** End (exclusive) of the string starting at the quote `pos`. */
function skipString(text: string, pos: number): number {
  let i = pos + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) throw new Error('unterminated string');
    let backslashes = 0;
    for (let j = quote - 1; text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/** End (exclusive) of the value starting at `pos`. */
export function skipValue(text: string, pos: number): number {
  const first = text.charCodeAt(pos);
  if (first === QUOTE) return skipString(text, pos);
  if (first === 123 || first === 91) {
    let depth = 0;
    for (let i = pos; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === QUOTE) i = skipString(text, i) - 1;
      else if (code === 123 || code === 91) depth++;
      else if (code === 125 || code === 93) {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    throw new Error('unterminated container');
  }
  let i = pos;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 44 || code === 125 || code === 93 || isSpace(code)) break;
    i++;
  }
  return i;
}

/** The root value's span. */
export function rootSpan(text: string): Span {
  const start = skipSpace(text, 0);
  return { start, end: skipValue(text, start) };
}

/** The properties of the object whose `{` is at `start`. */
export function objectProps(text: string, start: number): PropSpan[] {
  const props: PropSpan[] = [];
  let i = skipSpace(text, start + 1);
  if (text.charCodeAt(i) === 125) return props;
  for (;;) {
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    const valueStart = skipSpace(text, skipSpace(text, keyEnd) + 1); // past the colon
    const valueEnd = skipValue(text, valueStart);
    props.push({ key, start: i, value: { start: valueStart, end: valueEnd } });
    i = skipSpace(text, valueEnd);
    if (text.charCodeAt(i) !== 44) return props;
    i = skipSpace(text, i + 1);
  }
}

/** The items of the array whose `[` is at `start`. */
export function arrayItems(text: string, start: number): Span[] {
  const items: Span[] = [];
  let i = skipSpace(text, start + 1);
  if (text.charCodeAt(i) === 93) return items;
  for (;;) {
    const end = skipValue(text, i);
    items.push({ start: i, end });
    i = skipSpace(text, end);
    if (text.charCodeAt(i) !== 44) return items;
    i = skipSpace(text, i + 1);
  }
}
