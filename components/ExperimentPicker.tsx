// The `e` overlay: choose an experiment and how many worker threads to start it with.
import { Text } from 'ink';
import { Dialog } from './Dialog.js';
import { clip } from './format.js';
import { theme } from './theme.js';

/** `e`: pick an experiment (workspace experiments and built-ins) and a worker count. */
export function ExperimentPicker({
  names,
  index,
  workers,
  width,
  height,
}: {
  names: readonly string[];
  index: number;
  workers: number;
  width: number;
  height: number;
}) {
  const visible = Math.max(1, Math.min(names.length, height - 7));
  const first = Math.max(0, Math.min(index - Math.floor(visible / 2), names.length - visible));
  return (
    <Dialog width={width} height={height} boxWidth={56}>
      <Text bold>Start an experiment</Text>
      {names.length === 0 ? <Text dimColor>no experiments found</Text> : null}
      {names.slice(first, first + visible).map((name, offset) => (
        <Text key={name} inverse={first + offset === index} wrap="truncate">
          {clip(` ${name}`, 50)}
        </Text>
      ))}
      <Text>
        <Text>workers </Text>
        <Text bold color={theme.accent}>{`‹ ${workers} ›`}</Text>
      </Text>
      <Text dimColor>↑/↓ choose · +/- workers · Enter start · Esc cancel</Text>
    </Dialog>
  );
}
