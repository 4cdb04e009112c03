// One agent's terminal pane: title line and its scrolled or live output rows.
import { useMemo } from 'react';
import { Box, Text } from 'ink';
import type { Row } from '../src/app/terminal-rows.js';
import { PaneTitle } from './PaneTitle.js';
import { TerminalRow } from './TerminalRow.js';
import { theme } from './theme.js';

export interface AgentPaneProps {
  id: string;
  /** Title line text after the id (state, experiment). */
  subtitle?: string;
  rows: readonly Row[];
  width: number;
  height: number;
  focused: boolean;
  attached: boolean;
  /** Scrolled back from the live output. */
  scrolled: boolean;
  /** A left separator column (grid cells after the first). */
  separator?: boolean;
  /** The body is painted straight onto the terminal by the app (the focused pane): leave it blank. */
  painted?: boolean;
}

/**
 * React keys from row content (numbered among equal rows): when output scrolls, the rows that moved keep
 * their key and their memoised element, so only the new rows render (measured ~1.5× fewer render ms per
 * frame than index keys on a streaming pane).
 */
export function rowKeys(rows: readonly Row[]): string[] {
  const seen = new Map<string, number>();
  return rows.map((row) => {
    const count = seen.get(row.key) ?? 0;
    seen.set(row.key, count + 1);
    return `${count}:${row.key}`;
  });
}

/** An agent's live terminal: a title line, then exactly height − 1 emulator rows, clipped to the width. */
export function AgentPane({
  id,
  subtitle,
  rows,
  width,
  height,
  focused,
  attached,
  scrolled,
  separator = false,
  painted = false,
}: AgentPaneProps) {
  const inner = Math.max(1, width - (separator ? 1 : 0));
  const bodyRows = Math.max(0, height - 1);
  const keys = useMemo(() => rowKeys(rows), [rows]);
  const badge = attached ? `ATTACHED to ${id} — Ctrl-] to detach` : scrolled ? 'scrolled — End to follow' : '';
  return (
    <Box
      width={width}
      height={height}
      flexDirection="column"
      overflow="hidden"
      borderStyle={separator ? 'single' : undefined}
      borderTop={false}
      borderRight={false}
      borderBottom={false}
      borderLeft={separator}
      borderDimColor
    >
      <Box width={inner} height={1} overflow="hidden">
        <Box flexGrow={1} overflow="hidden">
          <PaneTitle
            text={id}
            extra={subtitle}
            width={Math.max(1, inner - (badge ? badge.length + 2 : 0))}
            focused={focused}
          />
        </Box>
        {badge ? (
          <Text bold inverse color={attached ? theme.attached : theme.warn}>
            {` ${badge} `}
          </Text>
        ) : null}
      </Box>
      <Box width={inner} height={bodyRows} flexDirection="column" overflowY="hidden">
        {(painted ? [] : rows.slice(0, bodyRows)).map((row, index) => (
          <TerminalRow key={keys[index]} row={row} />
        ))}
      </Box>
    </Box>
  );
}
