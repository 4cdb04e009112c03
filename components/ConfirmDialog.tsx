import { Text } from 'ink';
import { Dialog } from './Dialog.js';
import { theme } from './theme.js';

/** A yes/no question guarding stop, forced stop and quit. */
export function ConfirmDialog({ title, message, width, height }: { title: string; message: string; width: number; height: number }) {
  return (
    <Dialog width={width} height={height} boxWidth={Math.max(40, Math.min(70, message.length + 6))}>
      <Text bold color={theme.warn}>{title}</Text>
      <Text wrap="wrap">{message}</Text>
      <Text>
        <Text bold color={theme.accent}>y</Text>
        <Text>/Enter confirm   </Text>
        <Text bold color={theme.accent}>n</Text>
        <Text>/Esc cancel</Text>
      </Text>
    </Dialog>
  );
}
