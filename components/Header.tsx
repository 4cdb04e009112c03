// The one-line header: best score vs target, queue health, stop state and clock.
import { Box, Text } from 'ink';
import { formatScore, perFourHundred } from './format.js';
import { theme } from './theme.js';

export interface HeaderProps {
  name: string;
  best: { score: number; timeMin?: number | null; experiment?: string | null } | null;
  target: number;
  /** The worker count best.timeMin is projected to (ralph.config.json budgetWorkers). */
  budgetWorkers?: number;
  queue: { available: number; claimed: number; done: number };
  stop: { present: boolean; targetReached?: boolean };
  draining: readonly string[];
  stopping: boolean;
  /** Local agents in bypass mode: they act on this machine without a container or permission prompts. */
  unconfined?: readonly string[];
  clock: string;
  width: number;
}

/** Best in-budget score vs target and the gap, queue health, STOP / draining, clock — one line. */
export function Header({
  name,
  best,
  target,
  budgetWorkers,
  queue,
  stop,
  draining,
  stopping,
  unconfined = [],
  clock,
  width,
}: HeaderProps) {
  const gap = best ? target - best.score : undefined;
  const stopText = stop.present
    ? draining.length > 0
      ? `STOP · draining: ${draining.join(', ')}`
      : stop.targetReached
        ? 'STOP · target reached'
        : 'STOP'
    : stopping
      ? 'stopping'
      : '';
  return (
    <Box width={width} height={1} overflow="hidden">
      <Box flexGrow={1} overflow="hidden">
        <Text wrap="truncate">
          <Text bold color={theme.accent}>{` ralph-tui · ${name} `}</Text>
          {unconfined.length ? (
            <Text bold inverse color={theme.bad}>{` ⚠ ${unconfined.join(' ')} unconfined on this host `}</Text>
          ) : null}
          <Text>{' best '}</Text>
          <Text bold color={best && best.score >= target ? theme.good : theme.plain}>
            {formatScore(best?.score)}
          </Text>
          <Text>{best?.timeMin != null ? ` @ ${perFourHundred(best.timeMin, budgetWorkers)}` : ''}</Text>
          <Text dimColor>{` / target ${formatScore(target)}`}</Text>
          <Text color={gap !== undefined && gap <= 0 ? theme.good : theme.warn}>
            {gap !== undefined ? ` gap ${gap <= 0 ? 'reached' : gap.toFixed(4)}` : ''}
          </Text>
          <Text dimColor>{' │ '}</Text>
          <Text
            color={queue.available === 0 ? theme.bad : queue.available < 3 ? theme.warn : theme.good}
          >{`queue ${queue.available} avail`}</Text>
          <Text>{` · ${queue.claimed} claimed · ${queue.done} done`}</Text>
          {stopText ? <Text dimColor>{' │ '}</Text> : null}
          {stopText ? (
            <Text bold color={theme.bad}>
              {stopText}
            </Text>
          ) : null}
        </Text>
      </Box>
      <Text dimColor>{` ${clock} `}</Text>
    </Box>
  );
}
