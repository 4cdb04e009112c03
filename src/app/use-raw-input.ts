import { useEffect } from 'react';
import { useStdin } from 'ink';
import type { EventEmitter } from 'node:events';

/**
 * Raw key sequences and bracketed pastes from Ink's stdin parser. `useInput` would hand us a parsed key
 * and lose the exact bytes, which the attached mode must forward unchanged (Ctrl-C, arrows, F-keys), so we
 * listen on the event emitter Ink's own hooks use; Ink 7's useStdin returns the full context at runtime.
 */
export function useRawInput(onInput: (sequence: string) => void, onPaste: (text: string) => void): void {
  const context = useStdin() as ReturnType<typeof useStdin> & {
    internal_eventEmitter?: EventEmitter;
    setBracketedPasteMode?: (enabled: boolean) => void;
  };
  const { setRawMode, isRawModeSupported } = context;
  const emitter = context.internal_eventEmitter;
  useEffect(() => {
    if (!emitter || !isRawModeSupported) return;
    setRawMode(true);
    // Pastes arrive as one event: forwarded whole while attached, never read as a burst of hotkeys.
    context.setBracketedPasteMode?.(true);
    emitter.on('input', onInput);
    emitter.on('paste', onPaste);
    return () => {
      emitter.off('input', onInput);
      emitter.off('paste', onPaste);
      context.setBracketedPasteMode?.(false);
      setRawMode(false);
    };
    // The handlers are stable (bound once by the caller); re-subscribing per render would drop keys.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [emitter, isRawModeSupported, setRawMode]);
}
