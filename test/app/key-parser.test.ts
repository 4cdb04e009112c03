import { describe, expect, it } from 'vitest';
import { createKeyParser } from '../../src/app/key-parser.js';

describe('key parser: raw terminal input → one event per key sequence', () => {
  it('splits escape sequences, keeps text runs whole and Backspaces apart', () => {
    const parser = createKeyParser();
    expect(parser.push('ab\x1b[A\x1bOP\x1b[15~\x03\x7f\x7fcd\x1b[<64;3;4M\x1bx\x1b[[A\x1b\x1b[B')).toEqual([
      'ab',
      '\x1b[A',
      '\x1bOP',
      '\x1b[15~',
      '\x03',
      '\x7f',
      '\x7f',
      'cd',
      '\x1b[<64;3;4M',
      '\x1bx',
      '\x1b[[A',
      '\x1b\x1b[B',
    ]);
  });

  it('a bracketed paste is one event, even when it arrives in pieces', () => {
    const parser = createKeyParser();
    expect(parser.push('x\x1b[200~hello\n')).toEqual(['x']);
    expect(parser.hasPendingEscape()).toBe(false);
    expect(parser.push('world\x1b[201~y')).toEqual([{ paste: 'hello\nworld' }, 'y']);
  });

  it('an escape sequence cut between chunks waits for its end; a lone Esc is flushed as the Esc key', () => {
    const parser = createKeyParser();
    expect(parser.push('\x1b[1;')).toEqual([]);
    expect(parser.hasPendingEscape()).toBe(true);
    expect(parser.push('5A')).toEqual(['\x1b[1;5A']);
    expect(parser.push('\x1b')).toEqual([]);
    expect(parser.hasPendingEscape()).toBe(true);
    expect(parser.flush()).toEqual(['\x1b']);
    expect(parser.flush()).toEqual([]);
  });
});
