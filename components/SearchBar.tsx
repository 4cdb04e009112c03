import React from 'react';
import { Box, Text } from 'ink';

/** `/`: the query being typed, and whether the last search found anything. */
export function SearchBar({ query, notFound, width }: { query: string; notFound: boolean; width: number }) {
  return (
    <Box width={width} height={1} overflow="hidden">
      <Text wrap="truncate">
        <Text bold color="cyan">/</Text>
        <Text>{query}</Text>
        <Text inverse> </Text>
        {notFound ? <Text color="red">{'  not found'}</Text> : null}
      </Text>
    </Box>
  );
}
