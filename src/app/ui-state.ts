// The screen's own immutable state (focus, dialogs, overlays, scroll positions) and its reducer.
import type { InputMode } from './keymap.js';
import type { ViewMode } from './layout.js';

/** Which confirm dialog is open; each names the action it guards. */
export type ConfirmAction = 'stop' | 'force-stop' | 'stop-all' | 'restart';

export type Overlay =
  | { kind: 'help' }
  /** `agent` and `experiment`: whose work a restart would throw away. */
  | { kind: 'confirm'; action: ConfirmAction; agent?: string; experiment?: string }
  | { kind: 'picker'; names: readonly string[]; index: number; workers: number }
  /** A command from the workspace, shown in full before it runs on this machine (y only: Enter does not confirm it). */
  | { kind: 'run-command'; name: string; command: string; source: string; workers: number }
  | { kind: 'search'; query: string; line: number | null; notFound: boolean };

/** Everything the screen itself decides (the rest comes from the services' snapshots). Immutable. */
export interface UiState {
  focusedId: string | undefined;
  view: ViewMode;
  attached: boolean;
  overlay: Overlay | null;
  /** Absolute buffer line at the top of each agent pane; absent = following the live output. */
  scrollTop: Readonly<Record<string, number>>;
  /** The experiment run that `x` cancels. */
  selectedRunId: string | undefined;
  /** When Ctrl-C was pressed (ms); a second press within the window quits. */
  interruptAt: number | undefined;
  /** A transient line for the footer ("press Ctrl-C again to detach", "experiment started"). */
  notice: string | undefined;
}

export const initialUiState: UiState = {
  focusedId: undefined,
  view: 'split',
  attached: false,
  overlay: null,
  scrollTop: {},
  selectedRunId: undefined,
  interruptAt: undefined,
  notice: undefined,
};

export const INTERRUPT_WINDOW_MS = 2_000;

export function inputMode(state: UiState): InputMode {
  if (state.overlay) return state.overlay.kind;
  return state.attached ? 'attached' : 'normal';
}

export type UiAction =
  | { type: 'agents'; ids: readonly string[] }
  | { type: 'focus'; id: string }
  | { type: 'focus-offset'; ids: readonly string[]; offset: number }
  | { type: 'attach' }
  | { type: 'detach' }
  | { type: 'toggle-view'; view: Exclude<ViewMode, 'split'> }
  | { type: 'scroll'; id: string; top: number | undefined }
  | { type: 'overlay'; overlay: Overlay | null }
  | { type: 'select-run'; id: string | undefined }
  | { type: 'interrupt'; at: number }
  | { type: 'notice'; text: string | undefined };

export function reduceUi(state: UiState, action: UiAction): UiState {
  switch (action.type) {
    case 'agents':
      if (state.focusedId && action.ids.includes(state.focusedId)) return state;
      return { ...state, focusedId: action.ids[0], attached: false };
    case 'focus':
      if (state.focusedId === action.id) return state;
      return { ...state, focusedId: action.id, attached: false };
    case 'focus-offset': {
      if (action.ids.length === 0) return state;
      const at = Math.max(0, action.ids.indexOf(state.focusedId ?? ''));
      const next = (at + action.offset + action.ids.length) % action.ids.length;
      return { ...state, focusedId: action.ids[next], attached: false };
    }
    case 'attach':
      return state.focusedId ? { ...state, attached: true, overlay: null } : state;
    case 'detach':
      return { ...state, attached: false };
    case 'toggle-view':
      return { ...state, view: state.view === action.view ? 'split' : action.view };
    case 'scroll': {
      const scrollTop = { ...state.scrollTop };
      if (action.top === undefined) delete scrollTop[action.id];
      else scrollTop[action.id] = action.top;
      return { ...state, scrollTop };
    }
    case 'overlay':
      return { ...state, overlay: action.overlay };
    case 'select-run':
      return { ...state, selectedRunId: action.id };
    case 'interrupt':
      return { ...state, interruptAt: action.at, notice: 'press Ctrl-C again to detach' };
    case 'notice':
      return { ...state, notice: action.text };
  }
}

/**
 * The new top line after PgUp/PgDn/wheel: half a page per step, clamped to the scrollback; reaching the live
 * bottom returns undefined (follow again), so "scrolled — End to follow" disappears by itself.
 */
export function scrollBy(current: number | undefined, baseY: number, step: number): number | undefined {
  const from = current ?? baseY;
  const next = Math.max(0, Math.min(baseY, from + step));
  return next >= baseY ? undefined : next;
}
