// The whole screen laid out from props: header, agent tabs, panes or an overlay, footer.
import { type ReactNode } from 'react';
import { Box, Text } from 'ink';
import type { AgentBox, Layout } from '../src/app/layout.js';
import type { AgentTab, ExperimentRun, WorkerRow } from '../src/app/view-models.js';
import { AgentTabs } from './AgentTabs.js';
import { ExperimentsPane } from './ExperimentsPane.js';
import { Footer, type FooterProps } from './Footer.js';
import { Header, type HeaderProps } from './Header.js';
import { LogPane, type LogItem } from './LogPane.js';
import { QueuePane, type QueueItem } from './QueuePane.js';
import { SearchBar } from './SearchBar.js';
import { WorkersPane } from './WorkersPane.js';

export interface ScreenProps {
  layout: Layout;
  header: Omit<HeaderProps, 'width'>;
  tabs: readonly AgentTab[];
  focusedId: string | undefined;
  /** Draws one agent pane; the caller decides where its rows come from (a busy pane re-renders only itself). */
  renderAgent: (box: AgentBox, index: number) => ReactNode;
  queue: {
    entries: readonly QueueItem[];
    counts: { available: number; claimed: number; done: number };
    missing: boolean;
  };
  workers: readonly WorkerRow[];
  now: number;
  runs: readonly ExperimentRun[];
  selectedRunId: string | undefined;
  log: { entries: readonly LogItem[]; lines: readonly string[] };
  footer: Omit<FooterProps, 'width'>;
  /** Help, confirm or picker: drawn in place of the main area. */
  overlay?: (width: number, height: number) => ReactNode;
  search?: { query: string; notFound: boolean };
}

/**
 * The whole screen, exactly layout.rows tall: header, tabs, main (agent panes + side panes, or an overlay),
 * footer. Purely presentational: everything arrives as props.
 */
export function Screen(props: ScreenProps) {
  const { layout } = props;
  if (layout.tooSmall) {
    return (
      <Box width={layout.cols} height={layout.rows} overflow="hidden">
        <Text wrap="truncate">{`ralph-tui: terminal too small (${layout.cols}×${layout.rows}); agents keep running`}</Text>
      </Box>
    );
  }
  const main = layout.main;
  const side = layout.side;
  const searchRows = props.search ? 1 : 0;
  return (
    <Box width={layout.cols} height={layout.rows} flexDirection="column" overflow="hidden">
      <Header {...props.header} width={layout.cols} />
      <AgentTabs tabs={props.tabs} focusedId={props.focusedId} width={layout.cols} />
      <Box width={layout.cols} height={main} overflow="hidden">
        {props.overlay ? (
          props.overlay(layout.cols, main)
        ) : layout.view === 'grid' ? (
          <Box width={layout.cols} height={main} flexDirection="row" flexWrap="wrap" overflow="hidden">
            {layout.agents.map((box, index) => (
              <Box key={box.id} width={box.width} height={box.height} overflow="hidden">
                {props.renderAgent(box, index)}
              </Box>
            ))}
          </Box>
        ) : (
          <>
            <Box width={layout.cols - (side?.width ?? 0)} height={main} flexDirection="column" overflow="hidden">
              {layout.agents[0] ? props.renderAgent(layout.agents[0], 0) : null}
            </Box>
            {side ? (
              <Box
                width={side.width}
                height={main}
                flexDirection="column"
                overflow="hidden"
                borderStyle="single"
                borderTop={false}
                borderRight={false}
                borderBottom={false}
                borderDimColor
              >
                <QueuePane {...props.queue} width={side.width - 1} height={side.queue} />
                <WorkersPane workers={props.workers} now={props.now} width={side.width - 1} height={side.workers} />
                <ExperimentsPane
                  runs={props.runs}
                  selectedId={props.selectedRunId}
                  width={side.width - 1}
                  height={side.experiments}
                />
                {side.log > 0 ? (
                  <LogPane
                    entries={props.log.entries}
                    lines={props.log.lines}
                    width={side.width - 1}
                    height={side.log}
                  />
                ) : null}
              </Box>
            ) : null}
          </>
        )}
      </Box>
      {props.search ? (
        <SearchBar query={props.search.query} notFound={props.search.notFound} width={layout.cols} />
      ) : null}
      <Box width={layout.cols} height={Math.max(1, layout.footer - searchRows)} overflow="hidden">
        <Footer {...props.footer} width={layout.cols} />
      </Box>
    </Box>
  );
}
