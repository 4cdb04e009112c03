/**
 * The escape sequences that give a person their terminal back, whatever state the screen left it in:
 * mouse reporting and bracketed paste off, application cursor keys off, attributes reset, cursor shown,
 * normal screen. Written on every exit path (quit, Ctrl-C twice, SIGTERM, SIGHUP, crash), after the
 * children are stopped, so none of them can write to the screen once it is restored.
 */
export const MOUSE_ON = '\x1b[?1000h\x1b[?1006h';
export const MOUSE_OFF = '\x1b[?1006l\x1b[?1000l';
/** Every mode the screen turns on, off again (without leaving the alternate screen). */
export const RESET_MODES = `${MOUSE_OFF}\x1b[?2004l\x1b[?1l\x1b[0m\x1b[?25h`;
export const RESTORE_TERMINAL = `${RESET_MODES}\x1b[?1049l`;

/**
 * `stty -a` of a terminal left without echo or line editing: what a screen killed with SIGKILL leaves behind.
 * Node restores, on exit, the terminal settings it found when it first switched to raw mode, so a start on
 * such a terminal would hand the same broken settings back at its own exit unless it repairs them first.
 */
export const BROKEN_TERMINAL_HINT =
  'this terminal had echo off when ralph-tui started (an earlier run was killed with SIGKILL), and Node gives it back that way: type `reset` and Enter to repair it';

export function leftRaw(sttyAll: string): boolean {
  return /(^|[\s;])-(echo|icanon)([\s;]|$)/.test(sttyAll);
}
