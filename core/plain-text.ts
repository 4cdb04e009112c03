// Text from files made safe to show or print: no escape sequences, no control characters, no bidi overrides.

/**
 * Whole escape sequences first (so `ESC[2J` disappears instead of leaving `[2J`): OSC (ESC ] or C1 0x9D, up to
 * BEL or ST — clipboard writes, window titles, hyperlinks), DCS/SOS/PM/APC strings, CSI (ESC [ or C1 0x9B) and
 * two-byte ESC sequences.
 */
const ESCAPE_SEQUENCE =
  /(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|\x1b[ -~]?/g;
/** C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides that reorder what is shown. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` without escape sequences and control characters: what a terminal shows as written, never what it
 * obeys (OSC 52 would set the clipboard, OSC 0 the title, CSI 2J clear the screen). Tabs become spaces; newlines
 * stay only when `multiline`, else they become spaces too.
 */
export function plainText(text: string, options: { multiline?: boolean } = {}): string {
  let out = text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '').replace(/\t/g, ' ');
  if (!options.multiline) out = out.replace(/\r?\n/g, ' ');
  return out;
}

/** Whether a text needs plainText at all (most do not: the check is cheaper than the copy). */
function unsafe(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069)
    )
      return true;
  }
  return false;
}

/**
 * A deep copy of a view (plain objects, arrays, strings, numbers) with every string made plain (newlines kept:
 * a finding or a log line may span lines; the screen splits them). Objects without unsafe text come back as they
 * are, so a clean snapshot costs one scan.
 */
export function plainDeep<T>(value: T): T {
  if (typeof value === 'string') return (unsafe(value) ? plainText(value, { multiline: true }) : value) as T;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const next = plainDeep(item);
      if (next !== item) changed = true;
      return next;
    });
    return (changed ? out : value) as T;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const next = plainDeep(item);
      const safeKey = unsafe(key) ? plainText(key) : key;
      if (next !== item || safeKey !== key) changed = true;
      out[safeKey] = next;
    }
    return (changed ? out : value) as T;
  }
  return value;
}
