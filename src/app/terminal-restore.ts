/**
 * The escape sequences that give a person their terminal back, whatever state the screen left it in:
 * mouse reporting and bracketed paste off, application cursor keys off, attributes reset, cursor shown,
 * normal screen. Written on every exit path (quit, Ctrl-C twice, SIGTERM, SIGHUP, crash), after the
 * children are stopped (issue 6).
 */
export const MOUSE_ON = '\x1b[?1000h\x1b[?1006h';
export const MOUSE_OFF = '\x1b[?1006l\x1b[?1000l';
export const RESTORE_TERMINAL = `${MOUSE_OFF}\x1b[?2004l\x1b[?1l\x1b[0m\x1b[?25h\x1b[?1049l`;
