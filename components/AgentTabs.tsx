// The one-line agent tab bar: state glyph, id, experiment, restarts and resources per agent.
import { Box, Text } from 'ink';
import type { AgentTab, TabState } from '../src/app/view-models.js';
import stringWidth from 'string-width';
import { clip, formatBytes } from './format.js';
import { theme } from './theme.js';

/** The state glyphs (also listed in the help overlay). */
export const STATE_GLYPHS: Record<TabState, { glyph: string; color: string }> = {
  starting: { glyph: '◌', color: theme.accent },
  working: { glyph: '●', color: theme.good },
  idle: { glyph: '○', color: theme.muted },
  'needs-input': { glyph: '?', color: theme.warn },
  'needs-login': { glyph: '!', color: theme.warn },
  exited: { glyph: '✖', color: theme.bad },
  restarting: { glyph: '↻', color: theme.warn },
  stopped: { glyph: '■', color: theme.muted },
};

/** Marks a local agent that runs unconfined on the host (bypassed permissions, no container). */
const HOST_MARK = ' ⚠ host';

function tabText(tab: AgentTab, index: number, room: number): string {
  const parts = [`${index + 1}:${tab.id}`];
  // Nothing happens until a person logs in: say so in words, a glyph alone is easy to miss.
  if (tab.state === 'needs-login') parts.push('needs login');
  if (tab.problem) parts.push(clip(`⚠ ${tab.problem}`, Math.max(8, room - 20)));
  else if (tab.experiment) parts.push(clip(tab.experiment, Math.max(6, room - 30)));
  if (tab.restarts > 0) parts.push(`↻${tab.restarts}`);
  if (tab.cpuPercent !== undefined) parts.push(`${Math.round(tab.cpuPercent)}%`);
  if (tab.memoryBytes !== undefined) parts.push(formatBytes(tab.memoryBytes));
  if (tab.cpuset) parts.push(`cpu ${tab.cpuset}`);
  return parts.join(' ');
}

/**
 * The tabs that fit the line, from the first one on, or ending with the focused tab when it would be past the
 * edge. Only those are rendered: with 100 agents, laying out and truncating 100 tabs on every frame made Ink's
 * frames several times dearer (bench:tui, 100 agents), and the focused tab could be off the line.
 */
function visibleTabs(widths: readonly number[], focused: number, width: number): { start: number; end: number } {
  let start = 0;
  let used = widths.slice(0, focused + 1).reduce((sum, w) => sum + w, 0);
  while (used > width && start < focused) used -= widths[start++];
  let end = start;
  for (let total = 0; end < widths.length && total < width; end++) total += widths[end];
  return { start, end: Math.max(end, focused + 1) };
}

/** One line of tabs: glyph, id, current experiment, restarts, CPU/mem and pinned cores. */
export function AgentTabs({
  tabs,
  focusedId,
  width,
}: {
  tabs: readonly AgentTab[];
  focusedId: string | undefined;
  width: number;
}) {
  const room = Math.floor(width / Math.max(1, tabs.length));
  const texts = tabs.map((tab, index) => ` ${tabText(tab, index, room)} `);
  // Each tab's width on the line: the glyph (2 columns), the host marker of an unconfined agent and its text.
  const widths = tabs.map(
    (tab, index) => 2 + (tab.unconfined ? stringWidth(HOST_MARK) : 0) + stringWidth(texts[index]),
  );
  const { start, end } = visibleTabs(
    widths,
    Math.max(
      0,
      tabs.findIndex((tab) => tab.id === focusedId),
    ),
    width,
  );
  return (
    <Box width={width} height={1} overflow="hidden">
      <Text wrap="truncate">
        {tabs.slice(start, end).map((tab, offset) => {
          const { glyph, color } = STATE_GLYPHS[tab.state] ?? STATE_GLYPHS.idle;
          const focused = tab.id === focusedId;
          return (
            <Text key={tab.id}>
              <Text color={color}>{` ${glyph}`}</Text>
              {tab.unconfined ? (
                <Text bold color={theme.bad}>
                  {HOST_MARK}
                </Text>
              ) : null}
              <Text inverse={focused} bold={focused}>
                {texts[start + offset]}
              </Text>
            </Text>
          );
        })}
      </Text>
    </Box>
  );
}
