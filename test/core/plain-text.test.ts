import { describe, expect, it } from 'vitest';
import { plainDeep, plainText } from '../../core/plain-text.js';

const OSC52 = '\x1b]52;c;cm0gLXJmIH4K\x07';
const TITLE = '\x1b]0;pwned\x1b\\';
const CLEAR = '\x1b[2J\x1b[H';

describe('plain text from files', () => {
  it('given a name with OSC 52, a title change and a screen clear, when made plain, then only the visible text is left', () => {
    expect(plainText(`exp${OSC52}-a${TITLE}${CLEAR}b`)).toBe('exp-ab');
  });

  it('given C1 controls (8-bit CSI and OSC), DEL, NUL and bidi overrides, when made plain, then they are gone', () => {
    expect(plainText('a\x9b2Jb\x9d0;t\x9cc\x7fd\x00e\u202ef')).toBe('abcdef');
  });

  it('given newlines and tabs, when made plain, then tabs are spaces and newlines stay only in multiline text', () => {
    expect(plainText('a\tb\nc')).toBe('a b c');
    expect(plainText('a\r\nb', { multiline: true })).toBe('a\nb');
  });

  it('given a view with hostile strings deep inside, when made plain, then every string is clean and clean parts are the same objects', () => {
    const clean = { score: 1.2, tags: ['x'] };
    const view = { entries: [{ name: `evil${OSC52}`, n: 3 }], clean, [`k${CLEAR}`]: 'v' };
    const out = plainDeep(view);
    expect(out).toEqual({ entries: [{ name: 'evil', n: 3 }], clean, k: 'v' });
    expect(out.clean).toBe(clean);
    expect(JSON.stringify(out)).not.toMatch(/\\u001b|\x1b/);
  });
});
