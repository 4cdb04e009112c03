import { Text } from 'ink';
import { Dialog } from './Dialog.js';
import { STATE_GLYPHS } from './AgentTabs.js';
import { theme } from './theme.js';

export interface HelpBinding {
  label: string;
  description: string;
}

/** `?`: every binding of the keymap (passed in, so the overlay cannot drift from the keys), and the glyphs. */
export function HelpOverlay({ bindings, width, height }: { bindings: readonly HelpBinding[]; width: number; height: number }) {
  const glyphs = Object.entries(STATE_GLYPHS)
    .map(([state, { glyph }]) => `${glyph} ${state}`)
    .join('  ');
  return (
    <Dialog width={width} height={height} boxWidth={64} boxHeight={bindings.length + 6}>
      <Text bold>Keys</Text>
      {bindings.map((binding) => (
        <Text key={binding.label} wrap="truncate">
          <Text bold color={theme.accent}>{binding.label.padEnd(11)}</Text>
          <Text>{binding.description}</Text>
        </Text>
      ))}
      <Text dimColor wrap="truncate">{glyphs}</Text>
      <Text dimColor>Esc closes</Text>
    </Dialog>
  );
}
