import { describe, expect, it } from 'vitest';
import xterm from '@xterm/headless';
import { buildRows, findLine } from '../../src/app/terminal-rows.js';

const { Terminal } = xterm;

function term(cols = 20, rows = 4, scrollback = 100) {
  return new Terminal({ cols, rows, scrollback, allowProposedApi: true });
}

function write(terminal: InstanceType<typeof Terminal>, data: string): Promise<void> {
  return new Promise((resolve) => terminal.write(data, resolve));
}

function text(row: { runs: { text: string }[] }): string {
  return row.runs.map((run) => run.text).join('');
}

describe('buildRows (agent pane rows from the headless emulator)', () => {
  it('merges cells of one style into a run and keeps 16, 256 and truecolor colours and attributes', async () => {
    const t = term();
    await write(t, 'ab\x1b[31mcd\x1b[1;38;5;200mef\x1b[0;38;2;1;2;3;4mgh\x1b[0;7mij\x1b[0m');
    const [row] = buildRows(t, { rows: 1 });
    expect(row.runs).toEqual([
      { text: 'ab' },
      { text: 'cd', color: 'red' },
      { text: 'ef', color: 'ansi256(200)', bold: true },
      { text: 'gh', color: '#010203', underline: true },
      { text: 'ij', inverse: true },
    ]);
  });

  it('lets a plain space join the run before it (one run per coloured word), but not a space with a background', async () => {
    const t = term(30, 2);
    await write(t, '\x1b[31mred\x1b[0m \x1b[32mgreen\x1b[0m \x1b[44m \x1b[0mx');
    const [row] = buildRows(t, { rows: 1 });
    expect(row.runs).toEqual([
      { text: 'red ', color: 'red' },
      { text: 'green ', color: 'green' },
      { text: ' ', backgroundColor: 'blue' },
      { text: 'x' },
    ]);
  });

  it('draws a wide character once (its width-0 second half is skipped)', async () => {
    const t = term();
    await write(t, 'a日本b');
    expect(text(buildRows(t, { rows: 1 })[0])).toBe('a日本b');
  });

  it('shows the cursor as an inverse cell when asked, and not when the program hid it', async () => {
    const t = term();
    await write(t, 'ab');
    const [row] = buildRows(t, { rows: 1, cursor: true });
    expect(row.runs.at(-1)).toEqual({ text: ' ', inverse: true });
    await write(t, '\x1b[?25l');
    expect(buildRows(t, { rows: 1, cursor: true })[0].runs).toEqual([{ text: 'ab' }]);
  });

  it('reads scrollback from an absolute top line and follows the live page by default', async () => {
    const t = term(20, 3);
    for (let i = 0; i < 10; i++) await write(t, `line ${i}\r\n`);
    expect(buildRows(t).map(text)).toEqual(['line 8', 'line 9', '']);
    expect(buildRows(t, { top: 2 }).map(text)).toEqual(['line 2', 'line 3', 'line 4']);
    expect(findLine(t, 'LINE 4', t.buffer.active.length - 1)).toBe(4);
    expect(findLine(t, 'absent', t.buffer.active.length - 1)).toBe(-1);
  });

  it('draws the alternate screen of a full-screen program, and the normal screen again after it exits', async () => {
    const t = term(20, 3);
    await write(t, 'shell$ vim\r\n');
    await write(t, '\x1b[?1049h\x1b[H~ editor');
    expect(buildRows(t).map(text)).toEqual(['~ editor', '', '']);
    await write(t, '\x1b[?1049l');
    expect(buildRows(t).map(text)[0]).toBe('shell$ vim');
  });

  it('gives a row a new key exactly when its content or style changes', async () => {
    const t = term();
    await write(t, 'same\r\nsame');
    const [a, b] = buildRows(t, { rows: 2 });
    expect(a.key).toBe(b.key);
    await write(t, '\x1b[1;1H\x1b[32msame');
    const [c] = buildRows(t, { rows: 1 });
    expect(c.key).not.toBe(a.key);
  });

  it('marks search matches inverse and bold without changing the text', async () => {
    const t = term(30, 2);
    await write(t, 'error here, Error there');
    const [row] = buildRows(t, { rows: 1, highlight: 'error' });
    expect(text(row)).toBe('error here, Error there');
    expect(row.runs.filter((run) => run.inverse).map((run) => run.text)).toEqual(['error', 'Error']);
  });
});

describe("an agent's escape sequences stay inside its pane", () => {
  it('given OSC 52 (clipboard), OSC 0/2 (title), DCS and 8-bit CSI in the output, when the pane rows are built, then no control character or escape reaches the text drawn', async () => {
    const t = term(40, 4);
    await write(
      t,
      'a\x1b]52;c;cm0gLXJmIH4K\x07b\x1b]0;pwned\x07c\x1b]2;title\x1b\\d\x1bP1$r0m\x1b\\e\u009b1mf\u009d0;x\u009cg',
    );
    const drawn = buildRows(t, { rows: 4 })
      .flatMap((row) => row.runs.map((run) => run.text))
      .join('');
    expect(drawn).toContain('abcdefg');
    expect(drawn).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
    expect(drawn).not.toContain('pwned');
    expect(drawn).not.toContain('cm0g');
  });
});
