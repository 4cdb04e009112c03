import { Box, Text } from 'ink';
import type { AgentTab, TabState } from '../src/app/view-models.js';
import { clip, formatBytes } from './format.js';
import { theme } from './theme.js';

/** The state glyphs (also listed in the help overlay). */
export const STATE_GLYPHS: Record<TabState, { glyph: string; color: string }> = {
  starting: { glyph: '◌', color: theme.accent },
  working: { glyph: '●', color: theme.good },
  idle: { glyph: '○', color: theme.muted },
  'needs-input': { glyph: '?', color: theme.warn },
  exited: { glyph: '✖', color: theme.bad },
  restarting: { glyph: '↻', color: theme.warn },
  stopped: { glyph: '■', color: theme.muted },
};

function tabText(tab: AgentTab, index: number, room: number): string {
  const parts = [`${index + 1}:${tab.id}`];
  if (tab.problem) parts.push(clip(`⚠ ${tab.problem}`, Math.max(8, room - 20)));
  else if (tab.experiment) parts.push(clip(tab.experiment, Math.max(6, room - 30)));
  if (tab.restarts > 0) parts.push(`↻${tab.restarts}`);
  if (tab.cpuPercent !== undefined) parts.push(`${Math.round(tab.cpuPercent)}%`);
  if (tab.memoryBytes !== undefined) parts.push(formatBytes(tab.memoryBytes));
  if (tab.cpuset) parts.push(`cpu ${tab.cpuset}`);
  return parts.join(' ');
}

/** One line of tabs: glyph, id, current experiment, restarts, CPU/mem and pinned cores. */
export function AgentTabs({ tabs, focusedId, width }: { tabs: readonly AgentTab[]; focusedId: string | undefined; width: number }) {
  const room = Math.floor(width / Math.max(1, tabs.length));
  return (
    <Box width={width} height={1} overflow="hidden">
      <Text wrap="truncate">
        {tabs.map((tab, index) => {
          const { glyph, color } = STATE_GLYPHS[tab.state] ?? STATE_GLYPHS.idle;
          const focused = tab.id === focusedId;
          return (
            <Text key={tab.id}>
              <Text color={color}>{` ${glyph}`}</Text>
              {tab.unconfined ? <Text bold color={theme.bad}>{' ⚠ host'}</Text> : null}
              <Text inverse={focused} bold={focused}>{` ${tabText(tab, index, room)} `}</Text>
            </Text>
          );
        })}
      </Text>
    </Box>
  );
}
