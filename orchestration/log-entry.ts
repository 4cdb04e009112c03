// Parses, formats and appends ITERATION_LOG.md entries in both of the log's header styles.
import path from 'node:path';
import { appendText, openRead } from '../core/safe-fs.js';
import { fileSystemError, UserError } from '../core/errors.js';
import { workspacePaths } from '../core/workspace-paths.js';
import { withLock } from './lock.js';

/**
 * One ITERATION_LOG.md entry and its body, in either header style of the original log:
 *   `### [W1] Experiment: <name> (EXP_ID) | Score: 1.1464 @ 51.2 min | **NEW BEST**` (sessions 18 on)
 *   `### Exp S15-01: Coordinate Descent Refinement (coord_descent_refine)` (sessions 15–17: no worker,
 *   the score and time in the `**Result**: 1.1211 @ 93.7 min (OVER BUDGET)` line)
 */
export interface LogEntry {
  /** The worker in `[W1]`; the session-style entries name none. */
  worker?: string;
  experiment: string;
  /** An id in parentheses after the name, e.g. `(EXP_PSO_001)`, or the session entry's `S15-01`. */
  id?: string;
  /** A session-style entry's title when it differs from the experiment name. */
  title?: string;
  score?: number;
  timeMin?: number;
  rmse?: number;
  algorithm?: string;
  /** Other header parts without markdown emphasis: `NEW BEST`, `FAILED`, `ABORTED (Duplicate)`, ... */
  flags: string[];
  config?: string;
  result?: string;
  finding?: string;
  /** The header line as written. */
  header: string;
  /** 1-based line of the header within the parsed text. */
  line: number;
}

const HEADER = /^###\s+\[(W\d+)\]\s+(.*)$/;
const SESSION_HEADER = /^###\s+Exp\s+(S\d+-\d+)\s*:\s*(.*)$/;
/** `1.1211 @ 93.7 min (OVER BUDGET)`, `KILLED - 2-src samples taking 200-375s each`. */
const RESULT_SCORE = /^\**([01]\.\d+)\**\s*@\s*([\d.]+)\s*min\b(?:\s*\(([^)]*)\))?/;
const RESULT_FLAG = /^(KILLED|FAILED|ABORTED|SKIPPED|TIMEOUT)\b/i;
const SCORE = /^Score:\s*([-\d.]+)(?:\s*@\s*([\d.]+)\s*min)?/i;
const RMSE = /^RMSE:\s*([-\d.]+)(?:\s*@\s*([\d.]+)\s*min)?/i;
const ID_SUFFIX = /\s+\(([A-Z][A-Z0-9_]*\d)\)$/;
const BODY_FIELD = /^\*\*(Config|Result|Key Finding|Finding)\*\*:\s*(.*)$/;

function stripEmphasis(text: string): string {
  return text.replace(/\*\*/g, '').trim();
}

function parseHeader(worker: string, rest: string, header: string, line: number): LogEntry {
  const [first = '', ...parts] = rest.split(/\s+\|\s+/);
  const entry: LogEntry = { worker, experiment: '', flags: [], header, line };
  const named = /^Experiments?:\s*(.*)$/.exec(first.trim());
  let experiment = (named ? named[1] : first).trim();
  const id = ID_SUFFIX.exec(experiment);
  if (id) {
    entry.id = id[1];
    experiment = experiment.slice(0, id.index).trim();
  }
  entry.experiment = stripEmphasis(experiment);
  for (const part of parts) {
    const clean = stripEmphasis(part);
    const score = SCORE.exec(clean);
    const rmse = RMSE.exec(clean);
    if (score) {
      entry.score = Number(score[1]);
      if (score[2]) entry.timeMin = Number(score[2]);
    } else if (rmse) {
      entry.rmse = Number(rmse[1]);
      if (rmse[2]) entry.timeMin = Number(rmse[2]);
    } else if (/^Algorithm:/i.test(clean)) {
      entry.algorithm = clean.replace(/^Algorithm:\s*/i, '');
    } else if (clean) {
      entry.flags.push(clean.replace(/^Status:\s*/i, ''));
    }
  }
  return entry;
}

/** `Coordinate Descent Refinement (coord_descent_refine) **NEW BEST**` → name, title, flags. */
function parseSessionHeader(id: string, rest: string, header: string, line: number): LogEntry {
  const flags = [...rest.matchAll(/\*\*([^*]+)\*\*/g)].map((match) => match[1].trim());
  const title = rest.replace(/\*\*[^*]+\*\*/g, '').trim();
  const name = /\s*\(([a-z][a-z0-9_]*)\)$/.exec(title);
  const entry: LogEntry = { experiment: name ? name[1] : title, id, flags, header, line };
  if (name && title.slice(0, name.index).trim()) entry.title = title.slice(0, name.index).trim();
  return entry;
}

/** A session-style entry's score, time and flag come from its Result line. */
function applyResult(entry: LogEntry, result: string): void {
  if (entry.score !== undefined || entry.worker !== undefined) return;
  const scored = RESULT_SCORE.exec(result);
  if (scored) {
    entry.score = Number(scored[1]);
    entry.timeMin = Number(scored[2]);
    if (scored[3] && /budget|killed|failed/i.test(scored[3]) && !/within/i.test(scored[3]))
      entry.flags.push(scored[3].trim());
    return;
  }
  const flag = RESULT_FLAG.exec(result);
  if (flag) entry.flags.push(flag[1].toUpperCase());
}

/**
 * Parses every entry (`### [Wn] ...` and `### Exp S15-01: ...`) in ITERATION_LOG.md text, with its
 * Config/Result/Key Finding lines. `firstLine` is the line number of the text's first line in the file
 * (a tail of the log starts past line 1).
 */
export function parseLogEntries(text: string, firstLine = 1): LogEntry[] {
  const entries: LogEntry[] = [];
  let current: LogEntry | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    const header = HEADER.exec(line);
    const session = header ? null : SESSION_HEADER.exec(line);
    if (header || session) {
      current = header
        ? parseHeader(header[1], header[2], line, firstLine + i)
        : parseSessionHeader(session![1], session![2], line, firstLine + i);
      entries.push(current);
      continue;
    }
    if (!current) continue;
    if (/^(#{1,3}\s|---\s*$)/.test(line)) {
      current = null;
      continue;
    }
    const field = BODY_FIELD.exec(line);
    if (!field) continue;
    const value = field[2].trim();
    if (field[1] === 'Config') current.config ??= value;
    else if (field[1] === 'Result') {
      current.result ??= value;
      applyResult(current, value);
    } else current.finding ??= value;
  }
  return entries;
}

export interface NewLogEntry {
  worker: string;
  experiment: string;
  score?: number;
  timeMin?: number;
  config?: string | Record<string, unknown>;
  result?: string;
  finding?: string;
  /** e.g. `NEW BEST`, `FAILED`; NEW BEST is emphasised as in the original log. */
  flags?: string[];
  /**
   * Makes the append idempotent: the entry ends with an HTML comment naming the key (invisible in rendered
   * markdown, skipped by the parser), and an entry whose key is already in the log is not appended again.
   */
  key?: string;
}

const keyMarker = (key: string) => `<!-- ralph-tui result ${oneLine(key)} -->`;

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}

/** Renders an entry in the established ITERATION_LOG.md format (see fixtures/original/ITERATION_LOG.md). */
export function formatLogEntry(entry: NewLogEntry): string {
  if (!/^W\d+$/.test(entry.worker)) throw new UserError(`invalid worker "${entry.worker}" (expected W0, W1, ...)`);
  if (!entry.experiment.trim()) throw new UserError('a log entry needs an experiment name');
  const parts = [`### [${entry.worker}] Experiment: ${oneLine(entry.experiment)}`];
  if (entry.score !== undefined)
    parts.push(
      `Score: ${entry.score.toFixed(4)}${entry.timeMin !== undefined ? ` @ ${entry.timeMin.toFixed(1)} min` : ''}`,
    );
  else if (entry.timeMin !== undefined) parts.push(`Time: ${entry.timeMin.toFixed(1)} min`);
  for (const flag of entry.flags ?? []) parts.push(flag.toUpperCase() === 'NEW BEST' ? '**NEW BEST**' : oneLine(flag));
  const lines = [parts.join(' | ')];
  if (entry.config !== undefined)
    lines.push(
      `**Config**: ${typeof entry.config === 'string' ? oneLine(entry.config) : `\`${JSON.stringify(entry.config)}\``}`,
    );
  if (entry.result !== undefined) lines.push(`**Result**: ${oneLine(entry.result)}`);
  if (entry.finding !== undefined) lines.push(`**Key Finding**: ${oneLine(entry.finding)}`);
  if (entry.key !== undefined) lines.push(keyMarker(entry.key));
  return `\n${lines.join('\n')}\n\n---\n`;
}

/**
 * Appends an entry to ITERATION_LOG.md. Appenders take the log lock, and the entry goes out in a
 * single write on an O_APPEND descriptor, so concurrent agents never interleave their lines.
 */
export async function appendLogEntry(root: string, entry: NewLogEntry): Promise<string> {
  const text = formatLogEntry(entry);
  const paths = workspacePaths(root);
  await withLock(path.join(paths.locks, 'log.lock'), async () => {
    let prefix = '';
    const handle = await openRead(paths.iterationLog);
    if (handle) {
      try {
        const { size } = await handle.stat();
        // A replayed result (see outbox.ts) whose entry made it into the log before a crash: nothing to do.
        if (entry.key !== undefined && size > 0 && (await handle.readFile('utf8')).includes(keyMarker(entry.key)))
          return;
        if (size > 0) {
          const last = Buffer.alloc(1);
          await handle.read(last, 0, 1, size - 1);
          if (last[0] !== 10) prefix = '\n';
        }
      } finally {
        await handle.close();
      }
    }
    try {
      appendText(paths.iterationLog, prefix + text);
    } catch (error) {
      throw fileSystemError(error, paths.iterationLog) ?? error;
    }
  });
  return text;
}
