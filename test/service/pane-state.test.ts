import serializeAddon from '@xterm/addon-serialize';
import xterm from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { restorableState } from '../../src/service/pane-state.js';

const write = (terminal: xterm.Terminal, data: string) => new Promise<void>((resolve) => terminal.write(data, resolve));
const row = (terminal: xterm.Terminal, y: number) =>
  terminal.buffer.active.getLine(terminal.buffer.active.viewportY + y)?.translateToString(true) ?? '';

/** A program that keeps an input line on row 1 and scrolls its output in rows 2..10 (as stream-agent --input-line). */
async function program(): Promise<{ terminal: xterm.Terminal; state: string }> {
  const terminal = new xterm.Terminal({ cols: 40, rows: 10, allowProposedApi: true });
  const serializer = new serializeAddon.SerializeAddon();
  terminal.loadAddon(serializer);
  await write(terminal, '\x1b[2;10r\x1b[10;1H');
  for (let line = 1; line <= 20; line++) await write(terminal, `output ${line}\r\n`);
  await write(terminal, '\x1b7\x1b[1;1H\x1b[2KKEYab\x1b8');
  return { terminal, state: restorableState(terminal, serializer.serialize({ scrollback: 0 })) };
}

describe('restorableState (what a screen rebuilds a pane from)', () => {
  it('given a program scrolling only part of its screen, when the copy receives more output, then it scrolls only that part too', async () => {
    const { terminal, state } = await program();
    const copy = new xterm.Terminal({ cols: 40, rows: 10, allowProposedApi: true });
    await write(copy, state);
    expect(row(copy, 0)).toBe('KEYab');
    for (const target of [terminal, copy]) await write(target, 'output 21\r\noutput 22\r\n');
    expect(row(copy, 0)).toBe('KEYab');
    for (let y = 0; y < 10; y++) expect(row(copy, y)).toBe(row(terminal, y));
    expect(copy.buffer.active.cursorY).toBe(terminal.buffer.active.cursorY);
  });

  it('given a program that scrolls the whole screen, then the state is the serialised one unchanged', async () => {
    const terminal = new xterm.Terminal({ cols: 40, rows: 10, allowProposedApi: true });
    await write(terminal, 'one\r\ntwo');
    expect(restorableState(terminal, 'SERIALISED')).toBe('SERIALISED');
  });
});
