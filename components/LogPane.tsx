import React from 'react';
import { Box, Text } from 'ink';
import { clip } from './format.js';
import { PaneTitle } from './PaneTitle.js';

/** How a log line is drawn: NEW BEST green, FAILED red, entry headings bold. */
export function logLineStyle(line: string): { color?: string; bold?: boolean; dim?: boolean } {
  if (/NEW BEST/i.test(line)) return { color: 'green', bold: true };
  if (/FAIL/i.test(line)) return { color: 'red' };
  if (/^###/.test(line)) return { bold: true };
  if (/^\s*$|^---/.test(line)) return { dim: true };
  return {};
}

/** The ITERATION_LOG tail, newest at the bottom (it follows the file like tail -f). */
export function LogPane({ lines, width, height }: { lines: readonly string[]; width: number; height: number }) {
  const body = Math.max(0, height - 1);
  const shown = lines.filter((line) => line.trim() !== '').slice(-body);
  return (
    <Box width={width} height={height} flexDirection="column" overflow="hidden">
      <PaneTitle text="ITERATION_LOG" width={width} />
      {shown.map((line, index) => {
        const style = logLineStyle(line);
        return (
          <Text key={`${shown.length - index}`} color={style.color} bold={style.bold} dimColor={style.dim} wrap="truncate">
            {clip(line, width)}
          </Text>
        );
      })}
    </Box>
  );
}
