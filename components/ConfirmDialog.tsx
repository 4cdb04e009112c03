// The yes/no dialog that guards stop, forced stop, quit and workspace-requested commands.
import { Text } from 'ink';
import { Dialog } from './Dialog.js';
import { theme } from './theme.js';

/**
 * A yes/no question guarding stop, forced stop and quit; with `command`, the command a workspace file asks to run
 * on this machine, shown in full, confirmed with y only (a stray Enter must not run it).
 */
export function ConfirmDialog({
  title,
  message,
  command,
  width,
  height,
}: {
  title: string;
  message: string;
  command?: string;
  width: number;
  height: number;
}) {
  return (
    <Dialog
      width={width}
      height={height}
      boxWidth={command ? width - 4 : Math.max(40, Math.min(70, message.length + 6))}
    >
      <Text bold color={theme.warn}>
        {title}
      </Text>
      <Text wrap="wrap">{message}</Text>
      {command ? (
        <Text wrap="wrap" bold>
          {command}
        </Text>
      ) : null}
      <Text>
        <Text bold color={theme.accent}>
          y
        </Text>
        <Text>{command ? ' run it   ' : '/Enter confirm   '}</Text>
        <Text bold color={theme.accent}>
          n
        </Text>
        <Text>/Esc cancel</Text>
      </Text>
    </Dialog>
  );
}
