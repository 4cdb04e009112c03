// The bordered, centred box that every overlay (help, picker, confirmations) is drawn in.
import { type ReactNode } from 'react';
import { Box } from 'ink';
import { theme } from './theme.js';

/** A bordered box centred in the main area; the shell every overlay uses. */
export function Dialog({
  width,
  height,
  boxWidth,
  boxHeight,
  children,
}: {
  width: number;
  height: number;
  boxWidth: number;
  boxHeight?: number;
  children: ReactNode;
}) {
  const w = Math.max(10, Math.min(width, boxWidth));
  return (
    <Box width={width} height={height} alignItems="center" justifyContent="center" overflow="hidden">
      <Box
        width={w}
        height={boxHeight !== undefined ? Math.min(height, boxHeight) : undefined}
        flexDirection="column"
        borderStyle="round"
        borderColor={theme.accent}
        paddingX={1}
        overflow="hidden"
      >
        {children}
      </Box>
    </Box>
  );
}
