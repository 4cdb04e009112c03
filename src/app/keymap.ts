/**
 * The single source of every shortcut: input routing, the footer and the `?` overlay are all
 * generated from this table, so a key cannot work without being documented or be documented without working.
 * Keys are matched on the raw sequence a terminal sends (key-parser.ts splits stdin into one sequence per
 * key), so the same table serves the attached mode, which must see raw bytes.
 */

/** What the screen is doing; decides which bindings are live. */
export type InputMode = 'normal' | 'attached' | 'help' | 'confirm' | 'run-command' | 'picker' | 'search';

export type ActionName =
  | 'focus-index'
  | 'next-agent'
  | 'prev-agent'
  | 'attach'
  | 'detach'
  | 'zoom'
  | 'grid'
  | 'scroll-up'
  | 'scroll-down'
  | 'follow'
  | 'search'
  | 'start-experiment'
  | 'cancel-experiment'
  | 'select-experiment'
  | 'restart'
  | 'nudge'
  | 'stop'
  | 'force-stop'
  | 'resume'
  | 'leave-screen'
  | 'stop-all'
  | 'interrupt'
  | 'help'
  | 'confirm-yes'
  | 'confirm-no'
  | 'run-command-yes'
  | 'picker-up'
  | 'picker-down'
  | 'picker-more-workers'
  | 'picker-fewer-workers'
  | 'picker-start'
  | 'close'
  | 'search-next';

export interface KeyBinding {
  action: ActionName;
  /** Raw sequences that trigger it (several terminals send different bytes for Home/End/etc.). */
  keys: readonly string[];
  /** How the key is written in the footer and help (e.g. "1-9", "Tab", "Ctrl-]"). */
  label: string;
  description: string;
  modes: readonly InputMode[];
  /** The footer's short word for it; bindings without one appear only in `?`. */
  footer?: string;
}

export const CTRL_C = '\x03';
export const CTRL_RIGHT_BRACKET = '\x1d';
const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

export const KEYMAP: readonly KeyBinding[] = [
  {
    action: 'focus-index',
    keys: digits,
    label: '1-9',
    description: 'focus agent N',
    modes: ['normal'],
    footer: 'agent',
  },
  { action: 'next-agent', keys: ['\t'], label: 'Tab', description: 'next agent', modes: ['normal'] },
  { action: 'prev-agent', keys: ['\x1b[Z'], label: 'Shift-Tab', description: 'previous agent', modes: ['normal'] },
  {
    action: 'attach',
    keys: ['\r', '\n'],
    label: 'Enter',
    description: 'attach: keys go to the agent',
    modes: ['normal'],
    footer: 'attach',
  },
  {
    action: 'detach',
    keys: [CTRL_RIGHT_BRACKET],
    label: 'Ctrl-]',
    description: 'detach',
    modes: ['attached'],
    footer: 'detach',
  },
  { action: 'zoom', keys: ['z'], label: 'z', description: 'zoom the focused agent', modes: ['normal'], footer: 'zoom' },
  { action: 'grid', keys: ['g'], label: 'g', description: 'grid of all agents', modes: ['normal'], footer: 'grid' },
  {
    action: 'scroll-up',
    keys: ['\x1b[5~'],
    label: 'PgUp',
    description: 'scroll back (also mouse wheel)',
    modes: ['normal'],
  },
  { action: 'scroll-down', keys: ['\x1b[6~'], label: 'PgDn', description: 'scroll forward', modes: ['normal'] },
  {
    action: 'follow',
    keys: ['\x1b[F', '\x1b[4~', '\x1bOF', '\x1b[8~'],
    label: 'End',
    description: 'follow the live output',
    modes: ['normal'],
  },
  {
    action: 'search',
    keys: ['/'],
    label: '/',
    description: 'search the focused pane',
    modes: ['normal'],
    footer: 'search',
  },
  {
    action: 'start-experiment',
    keys: ['e'],
    label: 'e',
    description: 'start an experiment',
    modes: ['normal'],
    footer: 'experiment',
  },
  {
    action: 'select-experiment',
    keys: ['\x1b[B', '\x1b[A'],
    label: '↑/↓',
    description: 'select an experiment run',
    modes: ['normal'],
  },
  {
    action: 'cancel-experiment',
    keys: ['x'],
    label: 'x',
    description: 'cancel the selected experiment',
    modes: ['normal'],
  },
  { action: 'restart', keys: ['r'], label: 'r', description: 'restart the focused agent', modes: ['normal'] },
  { action: 'nudge', keys: ['n'], label: 'n', description: 'send the nudge now', modes: ['normal'] },
  {
    action: 'stop',
    keys: ['s'],
    label: 's',
    description: 'graceful stop (writes STOP)',
    modes: ['normal'],
    footer: 'stop',
  },
  { action: 'force-stop', keys: ['S'], label: 'S', description: 'forced stop of every agent', modes: ['normal'] },
  { action: 'resume', keys: ['u'], label: 'u', description: 'clear STOP and resume', modes: ['normal'] },
  {
    action: 'leave-screen',
    keys: ['q'],
    label: 'q',
    description: 'detach (agents keep working)',
    modes: ['normal'],
    footer: 'detach',
  },
  {
    action: 'stop-all',
    keys: ['Q'],
    label: 'Q',
    description: 'stop every agent and the service',
    modes: ['normal'],
  },
  {
    action: 'interrupt',
    keys: [CTRL_C],
    label: 'Ctrl-C ×2',
    description: 'detach at once',
    modes: ['normal', 'help', 'picker', 'search', 'confirm', 'run-command'],
  },
  { action: 'help', keys: ['?'], label: '?', description: 'this help', modes: ['normal'], footer: 'help' },
  {
    action: 'confirm-yes',
    keys: ['y', 'Y', '\r'],
    label: 'y/Enter',
    description: 'confirm',
    modes: ['confirm'],
    footer: 'confirm',
  },
  {
    action: 'run-command-yes',
    keys: ['y', 'Y'],
    label: 'y',
    description: 'run the command shown on this machine',
    modes: ['run-command'],
    footer: 'run it',
  },
  {
    action: 'confirm-no',
    keys: ['n', 'N', '\x1b'],
    label: 'n/Esc',
    description: 'cancel',
    modes: ['confirm', 'run-command'],
    footer: 'cancel',
  },
  {
    action: 'picker-up',
    keys: ['\x1b[A', 'k'],
    label: '↑',
    description: 'previous experiment',
    modes: ['picker'],
    footer: 'up',
  },
  {
    action: 'picker-down',
    keys: ['\x1b[B', 'j'],
    label: '↓',
    description: 'next experiment',
    modes: ['picker'],
    footer: 'down',
  },
  {
    action: 'picker-more-workers',
    keys: ['+', '=', '\x1b[C'],
    label: '+/→',
    description: 'more workers',
    modes: ['picker'],
    footer: 'workers+',
  },
  {
    action: 'picker-fewer-workers',
    keys: ['-', '\x1b[D'],
    label: '-/←',
    description: 'fewer workers',
    modes: ['picker'],
    footer: 'workers-',
  },
  { action: 'picker-start', keys: ['\r'], label: 'Enter', description: 'start it', modes: ['picker'], footer: 'start' },
  {
    action: 'search-next',
    keys: ['\r'],
    label: 'Enter',
    description: 'find (again: older match)',
    modes: ['search'],
    footer: 'find',
  },
  {
    action: 'close',
    keys: ['\x1b', 'q', '?'],
    label: 'Esc',
    description: 'close',
    modes: ['help', 'picker', 'search'],
    footer: 'close',
  },
];

export interface KeyMatch {
  action: ActionName;
  /** For focus-index: the 0-based agent index; for select-experiment: -1 (up) or +1 (down). */
  arg?: number;
}

const byMode = new Map<InputMode, Map<string, KeyMatch>>();
for (const binding of KEYMAP) {
  for (const mode of binding.modes) {
    let table = byMode.get(mode);
    if (!table) byMode.set(mode, (table = new Map()));
    binding.keys.forEach((key, index) => {
      if (table.has(key)) return; // first binding wins (e.g. Esc closes rather than types in search)
      let arg: number | undefined;
      if (binding.action === 'focus-index') arg = index;
      if (binding.action === 'select-experiment') arg = key === '\x1b[A' ? -1 : 1;
      table.set(key, { action: binding.action, arg });
    });
  }
}

/** The action a raw key sequence triggers in a mode, or null (in search mode plain text is the query). */
export function lookupKey(sequence: string, mode: InputMode): KeyMatch | null {
  if (mode === 'search' && isQueryText(sequence)) return null;
  return byMode.get(mode)?.get(sequence) ?? null;
}

/** Typed text and Backspace edit the search query instead of triggering bindings. */
export function isQueryText(sequence: string): boolean {
  return sequence === '\x7f' || sequence === '\b' || (!sequence.startsWith('\x1b') && sequence >= ' ');
}

/** The bindings live in a mode, in table order (the `?` overlay shows every normal-mode binding). */
export function bindingsFor(mode: InputMode): KeyBinding[] {
  return KEYMAP.filter((binding) => binding.modes.includes(mode));
}

/** The footer's "keys that work right now". */
export function footerHints(mode: InputMode): { label: string; description: string }[] {
  return bindingsFor(mode).flatMap((binding) =>
    binding.footer ? [{ label: binding.label, description: binding.footer }] : [],
  );
}
