// The state a screen's pane mirror is rebuilt from: the serialize addon's, plus the scroll region it leaves out.
import type { Terminal } from '../supervisor/agent-session.js';

/** xterm keeps the scroll region (DECSTBM) in its core buffer; neither its public API nor the addon exposes it. */
interface CoreBuffer {
  scrollTop: number;
  scrollBottom: number;
}

/**
 * `serialized` (from the serialize addon) followed by the terminal's scroll region and the cursor again (setting a
 * region moves the cursor home). Without it a restored pane scrolled the whole screen where the program scrolls only
 * part of it: an input line kept above streaming output was scrolled away in the screen's copy, and 3–10 % of
 * bench:tui's keystroke echoes never reached the screen.
 */
export function restorableState(terminal: Terminal, serialized: string): string {
  const buffer = (terminal as unknown as { _core?: { buffer?: CoreBuffer } })._core?.buffer;
  if (!buffer || (buffer.scrollTop === 0 && buffer.scrollBottom === terminal.rows - 1)) return serialized;
  const { cursorX, cursorY } = terminal.buffer.active;
  // In origin mode the cursor's row counts from the region's top.
  const row = terminal.modes.originMode ? cursorY - buffer.scrollTop : cursorY;
  return `${serialized}\x1b[${buffer.scrollTop + 1};${buffer.scrollBottom + 1}r\x1b[${row + 1};${cursorX + 1}H`;
}
