// Keystrokes and bracketed pastes from the terminal, as the exact bytes the attached mode forwards.
import { useEffect } from 'react';
import { useStdin, useStdout } from 'ink';
import { createKeyParser } from './key-parser.js';

/** How long a lone Esc waits for the rest of a sequence before it counts as the Esc key (Ink waits as long). */
const PENDING_ESCAPE_MS = 20;
const BRACKETED_PASTE_ON = '\x1b[?2004h';
const BRACKETED_PASTE_OFF = '\x1b[?2004l';

/**
 * Reads the stdin Ink was given (public `useStdin`) in raw mode. Ink's `useInput` hands over a parsed key and
 * loses the bytes, which the attached mode must forward unchanged (Ctrl-C, arrows, F-keys, mouse reports), so
 * the screen reads the stream itself; Ink reads stdin only for its own input hooks, which the screen does not use.
 */
export function useTerminalKeys(onInput: (sequence: string) => void, onPaste: (text: string) => void): void {
  const { stdin, isRawModeSupported } = useStdin();
  const { stdout } = useStdout();
  useEffect(() => {
    if (!isRawModeSupported) return;
    const parser = createKeyParser();
    let timer: NodeJS.Timeout | undefined;
    const emit = (events: ReturnType<typeof parser.push>) => {
      for (const event of events) {
        if (typeof event === 'string') onInput(event);
        else onPaste(event.paste);
      }
    };
    const onData = (chunk: string | Buffer) => {
      clearTimeout(timer);
      emit(parser.push(chunk.toString()));
      if (parser.hasPendingEscape()) timer = setTimeout(() => emit(parser.flush()), PENDING_ESCAPE_MS);
    };
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    // Pastes arrive as one event: forwarded whole while attached, never read as a burst of hotkeys.
    stdout.write(BRACKETED_PASTE_ON);
    stdin.on('data', onData);
    return () => {
      clearTimeout(timer);
      stdin.off('data', onData);
      stdout.write(BRACKETED_PASTE_OFF);
      stdin.setRawMode(false);
      stdin.pause();
    };
    // The handlers are stable (bound once by the caller); re-subscribing per render would drop keys.
  }, [stdin, stdout, isRawModeSupported]);
}
