// The ITERATION_LOG pane: the log's tail, one styled line per entry.
import { Box, Text } from 'ink';
import { clip, formatScore } from './format.js';
import { PaneTitle } from './PaneTitle.js';
import { theme } from './theme.js';

export interface LogItem {
  worker?: string;
  id?: string;
  experiment?: string;
  score?: number;
  timeMin?: number;
  flags?: string[];
}

/** How a log line is drawn: NEW BEST green, FAILED red, entry headings bold. */
export function logLineStyle(line: string): { color?: string; bold?: boolean; dim?: boolean } {
  if (/NEW BEST/i.test(line)) return { color: theme.good, bold: true };
  if (/FAIL/i.test(line)) return { color: theme.bad };
  if (/^###/.test(line)) return { bold: true };
  if (/^\s*$|^---/.test(line)) return { dim: true };
  return {};
}

/** One line per ITERATION_LOG entry: who, what, score @ minutes, flags. */
export function entryLine(entry: LogItem): string {
  const score =
    entry.score !== undefined
      ? ` ${formatScore(entry.score)}${entry.timeMin !== undefined ? ` @${entry.timeMin.toFixed(1)}m` : ''}`
      : '';
  const flags = entry.flags && entry.flags.length > 0 ? ` ${entry.flags.join(' · ')}` : '';
  // Session-style entries of the original log name no worker; their id (S15-01) says where they are from.
  return `${entry.worker ?? entry.id ?? '?'} ${entry.experiment ?? ''}${score}${flags}`;
}

/**
 * The ITERATION_LOG tail, newest at the bottom (it follows the file like tail -f): one line per parsed
 * entry when the log has entries, else the raw last lines.
 */
export function LogPane({
  entries,
  lines,
  width,
  height,
}: {
  entries: readonly LogItem[];
  lines: readonly string[];
  width: number;
  height: number;
}) {
  const body = Math.max(0, height - 1);
  const shown =
    entries.length > 0 ? entries.slice(-body).map(entryLine) : lines.filter((line) => line.trim() !== '').slice(-body);
  return (
    <Box width={width} height={height} flexDirection="column" overflowY="hidden">
      <PaneTitle
        text="ITERATION_LOG"
        extra={entries.length > 0 ? `${entries.length} entries` : undefined}
        width={width}
      />
      {shown.map((line, index) => {
        const style = logLineStyle(line);
        return (
          <Text
            key={`${shown.length - index}`}
            color={style.color}
            bold={style.bold}
            dimColor={style.dim}
            wrap="truncate"
          >
            {clip(line, width)}
          </Text>
        );
      })}
    </Box>
  );
}
