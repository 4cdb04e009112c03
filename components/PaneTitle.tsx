// The one-line title bar at the top of every pane.
import { Text } from 'ink';
import { clip } from './format.js';

/** The one-line title every pane starts with (inverse when the pane has focus). */
export function PaneTitle({
  text,
  width,
  focused = false,
  extra,
}: {
  text: string;
  width: number;
  focused?: boolean;
  extra?: string;
}) {
  const body = extra ? `${text}  ${extra}` : text;
  return (
    <Text inverse={focused} bold wrap="truncate">
      {clip(` ${body}`, width).padEnd(Math.max(0, width))}
    </Text>
  );
}
