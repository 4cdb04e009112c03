import { describe, expect, it } from 'vitest';
import { encodeMessage, MessageReader } from '../../src/service/service-protocol.js';

/** The service's messages arrive in socket chunks cut anywhere: inside a line, a JSON string, a UTF-8 character. */
describe('MessageReader', () => {
  const messages = [
    { t: 'pane', id: 'W0', state: `\x1b[1;31mred\x1b[0m é ✓ 🙂\r\n${'x'.repeat(200_000)}`, history: true },
    { t: 'out', id: 'W1', text: 'a line\nwith a newline inside' },
    { t: 'bye', reason: 'done' },
  ];
  const bytes = Buffer.from(messages.map((message) => encodeMessage(message as never)).join(''));

  for (const size of [1, 7, 4096, 65_536, bytes.length]) {
    it(`given the messages in chunks of ${size} bytes, when pushed, then each comes out once, whole, in order`, () => {
      const reader = new MessageReader(1 << 20);
      const out: unknown[] = [];
      for (let at = 0; at < bytes.length; at += size) out.push(...reader.push(bytes.subarray(at, at + size)));
      expect(out).toEqual(messages);
    });
  }

  it('given a line longer than the limit without its end, when pushed, then it is refused', () => {
    const reader = new MessageReader(1000);
    expect(reader.push(Buffer.from('{"t":"bye"'))).toEqual([]);
    expect(() => reader.push(Buffer.from('x'.repeat(1000)))).toThrow(/longer than 1000 bytes/);
  });
});
