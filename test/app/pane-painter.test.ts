import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import xterm from '@xterm/headless';
import { computeLayout } from '../../src/app/layout.js';
import { inkStdout, paintArea, paintedBox, PanePainter } from '../../src/app/pane-painter.js';
import { buildRows } from '../../src/app/terminal-rows.js';

const { Terminal } = xterm;
type Term = InstanceType<typeof Terminal>;

function write(terminal: Term, data: string): Promise<void> {
  return new Promise((resolve) => terminal.write(data, resolve));
}

function line(terminal: Term, y: number): string {
  return terminal.buffer.active.getLine(y)?.translateToString(true) ?? '';
}

/** An agent's emulator holding `lines`, and its rows as the screen builds them. */
async function agentRows(lines: string[], cols = 10) {
  const agent = new Terminal({ cols, rows: lines.length, scrollback: 0, allowProposedApi: true });
  await write(agent, lines.join('\r\n'));
  return buildRows(agent, { rows: lines.length });
}

/** The real terminal: 30×6, a side pane drawn at columns 20.. on every line, the cursor parked at the bottom. */
async function screen() {
  const terminal = new Terminal({ cols: 30, rows: 6, scrollback: 0, allowProposedApi: true });
  for (let y = 0; y < 6; y++) await write(terminal, `\x1b[${y + 1};21Hside ${y}`);
  await write(terminal, '\x1b[6;1H');
  const written: string[] = [];
  const painter = new PanePainter((data) => written.push(data));
  return { terminal, painter, written, flush: async () => write(terminal, written.splice(0).join('')) };
}

describe('PanePainter (the focused pane drawn straight onto the terminal)', () => {
  it('draws the rows inside the pane area only, with their colours, and puts the cursor back', async () => {
    const { terminal, painter, flush } = await screen();
    // Ink left a background colour set: the erased part of a row must still get the default one.
    await write(terminal, '\x1b[2;1Hstale text that was there\x1b[6;1H\x1b[44m');
    painter.setArea('W0', { top: 1, left: 0, width: 12, height: 3 });
    painter.paint(await agentRows(['\x1b[1;31mred\x1b[0m \x1b[38;5;123mx', 'plain', '\x1b[38;2;16;32;48mrgb']));
    await flush();

    expect([line(terminal, 1), line(terminal, 2), line(terminal, 3)]).toEqual([
      'red x       hat was there1',
      'plain               side 2',
      'rgb                 side 3',
    ]);
    const cell = terminal.buffer.active.getLine(1)!.getCell(0)!;
    expect([cell.isBold() !== 0, cell.getFgColor()]).toEqual([true, 1]);
    expect(terminal.buffer.active.getLine(1)!.getCell(4)!.getFgColor()).toBe(123);
    expect(terminal.buffer.active.getLine(3)!.getCell(0)!.getFgColor()).toBe(0x102030);
    expect(terminal.buffer.active.getLine(1)!.getCell(8)!.isBgDefault()).toBe(true);
    expect(line(terminal, 0)).toBe('                    side 0');
    expect([terminal.buffer.active.cursorX, terminal.buffer.active.cursorY]).toEqual([0, 5]);
  });

  it('rewrites only the lines whose row changed, and nothing when none did', async () => {
    const { painter, written } = await screen();
    painter.setArea('W0', { top: 1, left: 0, width: 10, height: 3 });
    painter.paint(await agentRows(['a', 'b', 'c']));
    written.length = 0;

    painter.paint(await agentRows(['a', 'b', 'c']));
    expect(written).toEqual([]);

    painter.paint(await agentRows(['a', 'B', 'c']));
    expect(written.join('').match(/\x1b\[\d+;\d+H/g)).toEqual(['\x1b[3;1H']);
  });

  it('paints nothing without an area (Ink draws the pane, or an overlay covers it)', async () => {
    const { painter, written } = await screen();
    painter.setArea('W0', { top: 1, left: 0, width: 10, height: 3 });
    painter.setArea(null, null);
    painter.paint(await agentRows(['a', 'b', 'c']));
    expect(written).toEqual([]);
    expect(painter.painting).toBeNull();
  });
});

describe('inkStdout (the stream Ink writes to)', () => {
  class FakeStdout extends EventEmitter {
    readonly columns = 30;
    readonly chunks: string[] = [];
    write(data: string): boolean {
      this.chunks.push(data);
      return true;
    }
  }

  it('repaints the whole pane after an Ink frame blanked its lines, before Ink ends the synchronized update', async () => {
    const { terminal, painter, written, flush } = await screen();
    painter.setArea('W0', { top: 1, left: 0, width: 10, height: 2 });
    painter.paint(await agentRows(['one', 'two']));
    await flush();
    const stdout = new FakeStdout();
    const ink = inkStdout(stdout as unknown as NodeJS.WriteStream, painter);

    // Ink rewrites line 2 whole: the pane's part of it comes out blank.
    ink.write('\x1b[?2026h');
    ink.write('\x1b[2;1H\x1b[2K                    side X');
    ink.write('\x1b[?2026l');
    expect(stdout.chunks.join('')).not.toContain('\x1b[?2026l');
    await Promise.resolve();

    const out = stdout.chunks.join('');
    expect(out.endsWith('\x1b[?2026l')).toBe(true);
    await write(terminal, out + written.join(''));
    expect([line(terminal, 1), line(terminal, 2)]).toEqual([
      'one                 side X',
      'two                 side 2',
    ]);
    expect(ink.columns).toBe(30);
  });
});

describe('which pane is painted', () => {
  const layout = (view: 'split' | 'zoom' | 'grid') =>
    computeLayout({ cols: 160, rows: 48, view, agentIds: ['W0', 'W1'], focusedId: 'W1', footerLines: 1 });

  it('the focused pane in the split and zoom views, under the header, the tabs and its title line', () => {
    const box = paintedBox(layout('split'), null)!;
    expect(box.id).toBe('W1');
    expect(paintArea(layout('split'), box)).toEqual({ top: 3, left: 0, width: box.cols, height: box.rows });
    expect(paintedBox(layout('zoom'), { kind: 'search', query: 'x', line: null, notFound: false })?.id).toBe('W1');
  });

  it('none in the grid, and none under the help, confirm and picker overlays', () => {
    expect(paintedBox(layout('grid'), null)).toBeNull();
    expect(paintedBox(layout('split'), { kind: 'help' })).toBeNull();
    expect(paintedBox(layout('split'), { kind: 'confirm', action: 'stop-all' })).toBeNull();
  });
});
