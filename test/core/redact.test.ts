import { describe, expect, it } from 'vitest';
import { redactSecrets, secretValues, StreamRedactor } from '../../core/redact.js';

const KEY = 'sk-ant-api03-FAKEFAKEFAKE0123456789';

function stream(secrets: string[], chunks: string[]): string {
  const redactor = new StreamRedactor(secrets);
  const out = chunks.map((chunk) => redactor.push(Buffer.from(chunk)).toString());
  return out.join('') + redactor.flush().toString();
}

describe('the stream redactor', () => {
  it('given a secret split across two chunks at every possible point, when streamed, then it never appears and the rest is intact', () => {
    const text = `before ${KEY} after`;
    for (let split = 0; split <= text.length; split++) {
      const out = stream([KEY], [text.slice(0, split), text.slice(split)]);
      expect(out).toBe('before *** after');
    }
  });

  it('given a secret arriving one byte per chunk, when streamed, then it is masked', () => {
    expect(stream([KEY], [...`x${KEY}y${KEY}`])).toBe('x***y***');
  });

  it('given no secrets, when streamed, then chunks pass through at once (nothing held back)', () => {
    const redactor = new StreamRedactor([undefined, 'ab']);
    expect(redactor.push(Buffer.from('hello')).toString()).toBe('hello');
  });

  it('given two secrets where one contains the other, when redacted, then the longer one is masked whole', () => {
    expect(redactSecrets('a secret-long b secret c', ['secret', 'secret-long'])).toBe('a *** b *** c');
    expect(stream(['secret', 'secret-long'], ['a secret-', 'long b secret c'])).toBe('a *** b *** c');
  });

  it('given passEnv names and literal env, when secret values are collected, then values of passEnv and credential-named entries count', () => {
    expect(
      secretValues(
        ['ANTHROPIC_API_KEY', 'MISSING'],
        { ANTHROPIC_API_KEY: KEY },
        { MY_TOKEN: 'tok-1234', MODE: 'fast-mode' },
      ),
    ).toEqual([KEY, 'tok-1234']);
  });
});
