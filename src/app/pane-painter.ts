/**
 * Paints the focused agent pane's rows straight onto the terminal, at its box's position, between Ink's
 * frames. Ink keeps the layout (it draws the pane's title and leaves the body blank) and every other pane;
 * re-rendering and re-serialising the whole 160×48 frame through React and Ink for each pane frame was most of
 * the screen's CPU under streaming output (cpu-prof of bench:tui, 4 agents × 200 KB/s: React + Ink 43 % of the
 * process's time, GC another 11 %, building the rows 2 %).
 *
 * Only rows whose content changed are written. Whenever Ink writes a frame it may have blanked any line under
 * the pane (an Ink line is a whole terminal row), so the stream Ink writes to (`inkStdout`) repaints every row
 * right after Ink's frame, before Ink's end-of-synchronized-update, so the terminal never shows the blank.
 */
import type { AgentBox, Layout } from './layout.js';
import { NAMED, type Row, type RunStyle } from './terminal-rows.js';
import type { Overlay } from './ui-state.js';

/** Where a pane's body is on the terminal, in 0-based cells. */
export interface PaintArea {
  top: number;
  left: number;
  width: number;
  height: number;
}

const SAVE_CURSOR = '\x1b7';
const RESTORE_CURSOR = '\x1b8';
const BEGIN_SYNC = '\x1b[?2026h';
const END_SYNC = '\x1b[?2026l';

/**
 * The pane painted directly, if any: the single pane of the split and zoom views. In the grid, Ink draws every
 * pane; the help, confirm and picker overlays are drawn by Ink in place of the panes.
 */
export function paintedBox(layout: Layout | null, overlay: Overlay | null): AgentBox | null {
  if (!layout || layout.tooSmall || layout.view === 'grid' || layout.agents.length !== 1) return null;
  if (overlay && overlay.kind !== 'search') return null;
  return layout.agents[0];
}

/** The body of the painted pane (below its title line), as Screen lays it out: under the header and the tabs. */
export function paintArea(layout: Layout, box: AgentBox): PaintArea {
  return { top: layout.header + layout.tabs + 1, left: 0, width: box.cols, height: box.rows };
}

/** SGR parameters for a colour as terminal-rows names it: a base colour's name, `ansi256(n)` or `#rrggbb`. */
function colorParams(color: string, background: boolean): string {
  const named = NAMED.indexOf(color);
  if (named >= 0) return String((named < 8 ? 30 + named : 82 + named) + (background ? 10 : 0));
  const base = background ? 48 : 38;
  if (color.startsWith('#')) {
    const value = Number.parseInt(color.slice(1), 16);
    return `${base};2;${(value >> 16) & 255};${(value >> 8) & 255};${value & 255}`;
  }
  return `${base};5;${color.slice(8, -1)}`;
}

function sgr(style: RunStyle): string {
  let params = '0';
  if (style.bold) params += ';1';
  if (style.dim) params += ';2';
  if (style.italic) params += ';3';
  if (style.underline) params += ';4';
  if (style.inverse) params += ';7';
  if (style.strikethrough) params += ';9';
  if (style.color) params += `;${colorParams(style.color, false)}`;
  if (style.backgroundColor) params += `;${colorParams(style.backgroundColor, true)}`;
  return `\x1b[${params}m`;
}

/** One row as the terminal draws it: each run's attributes, then its text; attributes reset at the end. */
export function rowAnsi(row: Row): string {
  let out = '';
  for (const run of row.runs) out += sgr(run) + run.text;
  return row.runs.length ? `${out}\x1b[0m` : out;
}

export class PanePainter {
  private area: PaintArea | null = null;
  private paneId: string | null = null;
  private rows: readonly Row[] = [];
  /** The key of the row drawn at each line of the area; undefined: unknown (Ink may have drawn over it). */
  private onScreen: Array<string | undefined> = [];

  constructor(private readonly write: (data: string) => void) {}

  /** The pane painted from now on and where its body is; null stops painting (Ink draws it, or it is covered). */
  setArea(paneId: string | null, area: PaintArea | null): void {
    const was = this.area;
    const moved =
      !area ||
      !was ||
      area.top !== was.top ||
      area.left !== was.left ||
      area.width !== was.width ||
      area.height !== was.height;
    const same = paneId === this.paneId && !moved;
    if (same || (!area && !was)) return;
    if (paneId !== this.paneId) this.rows = [];
    this.paneId = area ? paneId : null;
    this.area = area;
    this.onScreen = [];
  }

  get painting(): string | null {
    return this.paneId;
  }

  /** New rows of the painted pane: writes the lines that differ from what the terminal shows. */
  paint(rows: readonly Row[]): void {
    this.rows = rows;
    const bytes = this.changedLines();
    if (bytes) this.write(bytes);
  }

  /** What to write after Ink wrote a frame: every line of the area, since Ink may have blanked any of them. */
  repaintAfterInk(): string {
    this.onScreen = [];
    return this.changedLines();
  }

  private changedLines(): string {
    const area = this.area;
    if (!area || area.width <= 0) return '';
    let out = '';
    for (let y = 0; y < area.height; y++) {
      const row = this.rows[y];
      const key = row?.key ?? '';
      if (this.onScreen[y] === key) continue;
      this.onScreen[y] = key;
      // Erase the line's part of the pane (ECH: the cursor stays), then draw the row from its start.
      out += `\x1b[${area.top + y + 1};${area.left + 1}H\x1b[${area.width}X${row ? rowAnsi(row) : ''}`;
    }
    // Ink moves the cursor relative to where it left it: put it back as it was (with Ink's attributes). The
    // attributes are reset first so that ECH erases with the default background whatever Ink left set.
    return out ? `${BEGIN_SYNC}${SAVE_CURSOR}\x1b[0m${out}${RESTORE_CURSOR}${END_SYNC}` : '';
  }
}

/**
 * The stream Ink renders to: `stdout` itself, except that after Ink writes anything the painter repaints the
 * pane, in a microtask, so that the layout Ink just rendered (set by a layout effect during the same commit) is
 * the one painted. Ink's end-of-synchronized-update is held back until then, so its frame and the repaint reach
 * the terminal as one update.
 */
export function inkStdout(stdout: NodeJS.WriteStream, painter: PanePainter): NodeJS.WriteStream {
  let scheduled = false;
  let heldEnd = false;
  const flush = () => {
    scheduled = false;
    const bytes = painter.repaintAfterInk() + (heldEnd ? END_SYNC : '');
    heldEnd = false;
    if (bytes) stdout.write(bytes);
  };
  const write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    if (chunk === END_SYNC) heldEnd = true;
    if (!scheduled && chunk !== BEGIN_SYNC) {
      scheduled = true;
      queueMicrotask(flush);
    }
    return chunk === END_SYNC
      ? true
      : (stdout.write as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean)(chunk, ...rest);
  };
  return new Proxy(stdout, {
    get(target, property) {
      if (property === 'write') return write;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
