// Every colour the screen draws with, named by what it means (Ink colour names).
export const theme = {
  /** Titles, key labels, dialog borders, runs in progress. */
  accent: 'cyan',
  /** Success: target reached, finished runs, NEW BEST, a working agent. */
  good: 'green',
  /** Needs attention: notices, the gap to the target, an agent waiting for a person. */
  warn: 'yellow',
  /** Failures, STOP, file errors. */
  bad: 'red',
  /** Agents at rest (idle, stopped). */
  muted: 'gray',
  /** The best score while still below the target. */
  plain: 'white',
  /** The badge of the pane whose keys go to its agent. */
  attached: 'magenta',
} as const;
