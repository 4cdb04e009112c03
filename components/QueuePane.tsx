// The experiment queue pane: in progress, next up and recent completions within the space given.
import { Box, Text } from 'ink';
import { clip, formatMinutes, formatScore } from './format.js';
import { PaneTitle } from './PaneTitle.js';
import { theme } from './theme.js';

export interface QueueItem {
  id: string;
  name: string;
  priority: number;
  status: 'available' | 'claimed' | 'running' | 'completed' | 'failed' | 'aborted' | 'archived';
  worker?: string;
  score?: number;
  timeMin?: number;
  completedAt?: string;
}

interface Line {
  key: string;
  text: string;
  color?: string;
  dim?: boolean;
}

/**
 * In progress first, then next up in claim order (the lowest priority number first, ties by queue order, as
 * workers claim and `status` lists them), then the most recent completions with their score, within `max` lines:
 * each group keeps a share so a long backlog never hides the latest results.
 */
export function queueLines(entries: readonly QueueItem[], max: number): Line[] {
  const inProgress = entries.filter((e) => e.status === 'claimed' || e.status === 'running');
  const next = entries
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => entry.status === 'available')
    .sort((a, b) => a.entry.priority - b.entry.priority || a.index - b.index)
    .map(({ entry }) => entry);
  const finished = entries
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => entry.status === 'completed' || entry.status === 'failed' || entry.status === 'aborted')
    // Newest first: by completion time when known, else by position in the file (appended last = newest).
    .sort((a, b) => (b.entry.completedAt ?? '').localeCompare(a.entry.completedAt ?? '') || b.index - a.index)
    .map(({ entry }) => entry);
  const share = Math.max(1, Math.floor(max / 3));
  const progressCount = Math.min(inProgress.length, share);
  const nextCount = Math.min(next.length, Math.max(share, max - progressCount - Math.min(finished.length, share)));
  const finishedCount = Math.max(0, max - progressCount - nextCount);
  inProgress.splice(progressCount);
  next.splice(nextCount);
  finished.splice(finishedCount);
  return [
    ...inProgress.map((e) => ({ key: `c${e.id}`, text: `▶ ${e.worker ?? '?'} ${e.name}`, color: theme.accent })),
    ...next.map((e) => ({ key: `a${e.id}`, text: `  P${e.priority} ${e.name}` })),
    ...finished.map((e) => ({
      key: `d${e.id}`,
      text: `${e.status === 'completed' ? '✓' : '✖'} ${formatScore(e.score)}${e.timeMin !== undefined ? ` @${formatMinutes(e.timeMin)}` : ''} ${e.name}${e.worker ? ` (${e.worker})` : ''}`,
      color: e.status === 'completed' ? undefined : theme.bad,
      dim: e.status === 'completed',
    })),
  ];
}

export function QueuePane({
  entries,
  counts,
  width,
  height,
  missing,
}: {
  entries: readonly QueueItem[];
  counts: { available: number; claimed: number; done: number };
  width: number;
  height: number;
  missing?: boolean;
}) {
  const lines = queueLines(entries, Math.max(0, height - 1 - (missing ? 1 : 0)));
  return (
    <Box width={width} height={height} flexDirection="column" overflowY="hidden">
      <PaneTitle
        text="Queue"
        extra={`${counts.available} next · ${counts.claimed} running · ${counts.done} done`}
        width={width}
      />
      {missing ? <Text dimColor> no queue file yet</Text> : null}
      {lines.map((line) => (
        <Text key={line.key} color={line.color} dimColor={line.dim} wrap="truncate">
          {clip(line.text, width)}
        </Text>
      ))}
    </Box>
  );
}
