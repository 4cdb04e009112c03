// Turns a terminal emulator's buffer into styled screen rows with content-based keys.
import type { IBufferCell, Terminal } from '@xterm/headless';

/** The style of a run of cells, in the colour strings Ink's <Text> understands. */
export interface RunStyle {
  color?: string;
  backgroundColor?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  strikethrough?: boolean;
  inverse?: boolean;
}

export interface Run extends RunStyle {
  text: string;
}

/** One screen row as merged styled runs; `key` changes exactly when the row's content or style does. */
export interface Row {
  key: string;
  runs: Run[];
}

export interface RowsOptions {
  /** Absolute buffer line of the first row; default: the live bottom page (baseY), i.e. following. */
  top?: number;
  /** How many rows to build; default: terminal.rows. */
  rows?: number;
  /** At most this many cells per row (a pane narrower than its emulator while a resize is pending). */
  cols?: number;
  /** Draw the cursor (inverse cell) when it is on a built row. */
  cursor?: boolean;
  /** Highlight every occurrence of this text (search). */
  highlight?: string;
}

// The 16 base colours by name so the user's terminal theme applies (as tmux does), 16–255 by index; the pane painter
// turns the same names back into SGR codes.
export const NAMED = [
  'black',
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'white',
  'gray',
  'redBright',
  'greenBright',
  'yellowBright',
  'blueBright',
  'magentaBright',
  'cyanBright',
  'whiteBright',
];

function colorOf(isDefault: boolean, isRgb: boolean, value: number): string | undefined {
  if (isDefault) return undefined;
  if (isRgb) return `#${value.toString(16).padStart(6, '0')}`;
  return value < 16 ? NAMED[value] : `ansi256(${value})`;
}

function styleOf(cell: IBufferCell): RunStyle {
  const style: RunStyle = {};
  const fg = colorOf(cell.isFgDefault(), cell.isFgRGB(), cell.getFgColor());
  const bg = colorOf(cell.isBgDefault(), cell.isBgRGB(), cell.getBgColor());
  if (fg) style.color = fg;
  if (bg) style.backgroundColor = bg;
  if (cell.isBold()) style.bold = true;
  if (cell.isDim()) style.dim = true;
  if (cell.isItalic()) style.italic = true;
  if (cell.isUnderline()) style.underline = true;
  if (cell.isStrikethrough()) style.strikethrough = true;
  if (cell.isInverse()) style.inverse = true;
  return style;
}

function sameStyle(a: RunStyle, b: RunStyle): boolean {
  return (
    a.color === b.color &&
    a.backgroundColor === b.backgroundColor &&
    a.bold === b.bold &&
    a.dim === b.dim &&
    a.italic === b.italic &&
    a.underline === b.underline &&
    a.strikethrough === b.strikethrough &&
    a.inverse === b.inverse
  );
}

/** A cell that shows nothing: trailing runs of these are dropped so Ink writes less. */
function isBlank(style: RunStyle): boolean {
  return !style.backgroundColor && !style.inverse && !style.underline && !style.strikethrough;
}

function styleKey(style: RunStyle): string {
  return `${style.color ?? ''}/${style.backgroundColor ?? ''}/${style.bold ? 'b' : ''}${style.dim ? 'd' : ''}${style.italic ? 'i' : ''}${style.underline ? 'u' : ''}${style.strikethrough ? 's' : ''}${style.inverse ? 'r' : ''}`;
}

/** Whether the program in the pane hid its cursor (DECTCEM); xterm keeps this off its public API. */
function cursorHidden(terminal: Terminal): boolean {
  const core = (terminal as unknown as { _core?: { coreService?: { isCursorHidden?: boolean } } })._core;
  return core?.coreService?.isCursorHidden === true;
}

/**
 * Builds rows from the emulator's active buffer (normal or alternate screen), so every pane is drawn from the
 * headless emulator and an agent's bytes never reach the real terminal (the ccmanager lesson). Width-0 cells
 * (the second half of wide characters) are skipped; the cursor is an inverse cell.
 */
export function buildRows(terminal: Terminal, options: RowsOptions = {}): Row[] {
  const buffer = terminal.buffer.active;
  const count = options.rows ?? terminal.rows;
  const top = Math.max(0, Math.min(options.top ?? buffer.baseY, buffer.baseY));
  const cursorLine = options.cursor && !cursorHidden(terminal) ? buffer.baseY + buffer.cursorY : -1;
  const cell = buffer.getNullCell();
  const rows: Row[] = [];
  for (let y = 0; y < count; y++) {
    const lineIndex = top + y;
    const line = buffer.getLine(lineIndex);
    if (!line) {
      rows.push({ key: '', runs: [] });
      continue;
    }
    const runs: Run[] = [];
    let current: Run | null = null;
    const cursorX = lineIndex === cursorLine ? buffer.cursorX : -1;
    const cols = Math.min(terminal.cols, options.cols ?? Infinity);
    for (let x = 0; x < cols; x++) {
      if (!line.getCell(x, cell)) break;
      const width = cell.getWidth();
      if (width === 0 || x + width > cols) continue;
      const text = cell.getChars() || ' ';
      let style = styleOf(cell);
      if (x === cursorX) style = { ...style, inverse: !style.inverse };
      if (current && (sameStyle(current, style) || (text === ' ' && isBlank(style) && isBlank(current)))) {
        // A plain space looks the same in any run without background, inverse, underline or strikethrough, so it
        // joins the run before it: coloured output ("W0 token_1 token_2", a colour per word) becomes one run per
        // word instead of two, about half the <Text> nodes Ink lays out and re-tokenises on every frame.
        current.text += text;
      } else {
        current = { ...style, text };
        runs.push(current);
      }
    }
    // The cursor may sit after the last cell of a full row (cursorX == cols): nothing to draw then.
    trimTrailingBlanks(runs);
    if (options.highlight) highlightRuns(runs, options.highlight);
    rows.push({ key: runs.map((run) => `${styleKey(run)}:${run.text}`).join('\u0000'), runs });
  }
  return rows;
}

function trimTrailingBlanks(runs: Run[]): void {
  while (runs.length > 0) {
    const last = runs[runs.length - 1];
    if (!isBlank(last)) return;
    const trimmed = last.text.replace(/ +$/, '');
    if (trimmed.length > 0) {
      last.text = trimmed;
      return;
    }
    runs.pop();
  }
}

/** Splits runs so every occurrence of `needle` is drawn inverse+bold (the search mark). */
function highlightRuns(runs: Run[], needle: string): void {
  const text = runs.map((run) => run.text).join('');
  const lower = text.toLowerCase();
  const target = needle.toLowerCase();
  const marks: Array<[number, number]> = [];
  for (let at = lower.indexOf(target); at >= 0 && target; at = lower.indexOf(target, at + target.length)) {
    marks.push([at, at + target.length]);
  }
  if (marks.length === 0) return;
  const out: Run[] = [];
  let offset = 0;
  for (const run of runs) {
    const end = offset + run.text.length;
    let cursor = offset;
    for (const [from, to] of marks) {
      if (to <= cursor || from >= end) continue;
      if (from > cursor) out.push({ ...run, text: text.slice(cursor, from) });
      const stop = Math.min(to, end);
      out.push({ ...run, text: text.slice(Math.max(from, cursor), stop), inverse: !run.inverse, bold: true });
      cursor = stop;
    }
    if (cursor < end) out.push({ ...run, text: text.slice(cursor, end) });
    offset = end;
  }
  runs.splice(0, runs.length, ...out);
}

/**
 * Finds the last line at or above `before` (absolute buffer line) containing `query`, case-insensitive;
 * -1 when none. Used by `/` search; scanning backwards finds the most recent match first.
 */
export function findLine(terminal: Terminal, query: string, before: number): number {
  const buffer = terminal.buffer.active;
  const target = query.toLowerCase();
  if (!target) return -1;
  for (let y = Math.min(before, buffer.length - 1); y >= 0; y--) {
    const line = buffer.getLine(y);
    if (line && line.translateToString(true).toLowerCase().includes(target)) return y;
  }
  return -1;
}
