// The side pane listing each worker's status, current experiment and last sign of life.
import { Box, Text } from 'ink';
import type { WorkerRow } from '../src/app/view-models.js';
import { clip, formatAge } from './format.js';
import { PaneTitle } from './PaneTitle.js';
import { theme } from './theme.js';

/** Workers from coordination/state files: status, current experiment, runs, last seen. */
export function WorkersPane({
  workers,
  now,
  width,
  height,
}: {
  workers: readonly WorkerRow[];
  now: number;
  width: number;
  height: number;
}) {
  const shown = workers.slice(0, Math.max(0, height - 1));
  return (
    <Box width={width} height={height} flexDirection="column" overflowY="hidden">
      <PaneTitle text="Workers" extra={`${workers.length}`} width={width} />
      {shown.map((w) => (
        <Text key={w.id} wrap="truncate">
          <Text bold>{w.id.padEnd(4)}</Text>
          <Text
            color={
              /run|work|active|busy/i.test(w.status)
                ? theme.good
                : /error|fail|dead/i.test(w.status)
                  ? theme.bad
                  : undefined
            }
          >
            {clip(w.status, 10).padEnd(10)}
          </Text>
          <Text>{` ${clip(w.currentExperiment ?? '—', Math.max(4, width - 34))}`}</Text>
          <Text dimColor>{` runs ${w.runs} · ${formatAge(w.lastSeen, now)}`}</Text>
        </Text>
      ))}
    </Box>
  );
}
