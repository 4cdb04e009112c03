// The `?` overlay: every key binding and the state glyph legend, laid out to fit the screen.
import { Box, Text } from 'ink';
import { Dialog } from './Dialog.js';
import { STATE_GLYPHS } from './AgentTabs.js';
import { theme } from './theme.js';

export interface HelpBinding {
  label: string;
  description: string;
}

/** Title, glyph legend and "Esc closes" (one row each) plus the border: what the box needs besides the keys. */
const FRAME_ROWS = 5;
const GAP = 2;

/** Rows one binding takes in a column `width` wide: the description wraps at word boundaries, never truncated. */
function rowsOf(binding: HelpBinding, labelWidth: number, width: number): number {
  const room = Math.max(1, width - labelWidth);
  let rows = 1;
  let used = 0;
  for (const word of binding.description.split(' ')) {
    const need = used === 0 ? word.length : used + 1 + word.length;
    if (need <= room) used = need;
    else {
      rows += 1;
      used = word.length;
    }
  }
  return rows;
}

function Binding({ binding, labelWidth, width }: { binding: HelpBinding; labelWidth: number; width: number }) {
  return (
    <Box width={width} flexDirection="row">
      <Box width={labelWidth} flexShrink={0}>
        <Text bold color={theme.accent}>
          {binding.label}
        </Text>
      </Box>
      <Box width={Math.max(1, width - labelWidth)}>
        <Text wrap="wrap">{binding.description}</Text>
      </Box>
    </Box>
  );
}

/**
 * `?`: every binding of the keymap (passed in, so the overlay cannot drift from the keys), and the glyphs. One
 * column when it fits the height; else two side by side, descriptions wrapped rather than cut (80×24 has room
 * for about 16 rows of keys, the keymap has more).
 */
export function HelpOverlay({
  bindings,
  width,
  height,
}: {
  bindings: readonly HelpBinding[];
  width: number;
  height: number;
}) {
  const glyphs = Object.entries(STATE_GLYPHS).map(([state, { glyph }]) => `${glyph} ${state}`);
  const labelWidth = Math.max(...bindings.map((binding) => binding.label.length)) + 2;
  const singleWidth = Math.min(width, 64);
  const single = bindings.reduce((rows, binding) => rows + rowsOf(binding, labelWidth, singleWidth - 4), 0);
  if (single + FRAME_ROWS + 1 <= height) {
    return (
      <Dialog width={width} height={height} boxWidth={singleWidth} boxHeight={single + FRAME_ROWS + 1}>
        <Text bold>Keys</Text>
        {bindings.map((binding) => (
          <Binding
            key={binding.label + binding.description}
            binding={binding}
            labelWidth={labelWidth}
            width={singleWidth - 4}
          />
        ))}
        <Text dimColor wrap="wrap">
          {glyphs.join('  ')}
        </Text>
        <Text dimColor>Esc closes</Text>
      </Dialog>
    );
  }
  const boxWidth = Math.min(width, 110);
  const column = Math.floor((boxWidth - 4 - GAP) / 2);
  const half = Math.ceil(bindings.length / 2);
  const columns = [bindings.slice(0, half), bindings.slice(half)];
  const keyRows = Math.max(
    ...columns.map((list) => list.reduce((rows, binding) => rows + rowsOf(binding, labelWidth, column), 0)),
  );
  return (
    <Dialog width={width} height={height} boxWidth={boxWidth} boxHeight={keyRows + FRAME_ROWS + 1}>
      <Text bold>Keys</Text>
      <Box flexDirection="row" gap={GAP}>
        {columns.map((list, index) => (
          <Box key={index} width={column} flexDirection="column">
            {list.map((binding) => (
              <Binding
                key={binding.label + binding.description}
                binding={binding}
                labelWidth={labelWidth}
                width={column}
              />
            ))}
          </Box>
        ))}
      </Box>
      <Text dimColor wrap="truncate">
        {glyphs.join(' ')}
      </Text>
      <Text dimColor>Esc closes</Text>
    </Dialog>
  );
}
