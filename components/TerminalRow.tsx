// Draws one row of an agent's emulator screen as styled Ink text.
import { memo } from 'react';
import { Text } from 'ink';
import type { Row } from '../src/app/terminal-rows.js';

/**
 * One emulator row as nested <Text> runs (measured faster than pre-built ANSI strings, ARCHITECTURE.md),
 * memoised by the row's content key so unchanged rows cost nothing on a frame.
 */
export const TerminalRow = memo(
  function TerminalRow({ row }: { row: Row }) {
    if (row.runs.length === 0) return <Text> </Text>;
    return (
      <Text wrap="truncate">
        {row.runs.map((run, index) => (
          <Text
            key={index}
            color={run.color}
            backgroundColor={run.backgroundColor}
            bold={run.bold}
            dimColor={run.dim}
            italic={run.italic}
            underline={run.underline}
            strikethrough={run.strikethrough}
            inverse={run.inverse}
          >
            {run.text}
          </Text>
        ))}
      </Text>
    );
  },
  (a, b) => a.row.key === b.row.key,
);
