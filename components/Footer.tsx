// The bottom line: the keys that work in the current mode, a notice, and the latest file error.
import { Box, Text } from 'ink';
import { clip } from './format.js';
import { theme } from './theme.js';

export interface FooterProps {
  hints: readonly { label: string; description: string }[];
  /** The latest malformed-file error (the panes keep the last good view). */
  error?: string;
  notice?: string;
  width: number;
}

/** The keys that work right now (from the keymap), then a notice; a second line for a file error. */
export function Footer({ hints, error, notice, width }: FooterProps) {
  return (
    <Box width={width} height={error ? 2 : 1} flexDirection="column" overflow="hidden">
      <Text wrap="truncate">
        {hints.map((hint) => (
          <Text key={hint.label + hint.description}>
            <Text bold color={theme.accent}>{` ${hint.label}`}</Text>
            <Text dimColor>{` ${hint.description}`}</Text>
          </Text>
        ))}
        {notice ? <Text color={theme.warn}>{`  ${notice}`}</Text> : null}
      </Text>
      {error ? (
        <Text color={theme.bad} wrap="truncate">
          {clip(` ⚠ ${error}`, width)}
        </Text>
      ) : null}
    </Box>
  );
}
