// The `/` search line shown under an agent pane while a query is typed.
import { Box, Text } from 'ink';
import { theme } from './theme.js';

/** `/`: the query being typed, and whether the last search found anything. */
export function SearchBar({ query, notFound, width }: { query: string; notFound: boolean; width: number }) {
  return (
    <Box width={width} height={1} overflow="hidden">
      <Text wrap="truncate">
        <Text bold color={theme.accent}>
          /
        </Text>
        <Text>{query}</Text>
        <Text inverse> </Text>
        {notFound ? <Text color={theme.bad}>{'  not found'}</Text> : null}
      </Text>
    </Box>
  );
}
