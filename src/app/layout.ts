/**
 * Screen geometry as pure arithmetic, so "never taller than the terminal" and "the emulator's cols/rows equal
 * the pane's inner size" are properties of one function that tests can check for every size.
 */
export type ViewMode = 'split' | 'zoom' | 'grid';

export interface AgentBox {
  id: string;
  /** Outer size, including the pane's one-line title and (in the grid) a left separator. */
  width: number;
  height: number;
  /** The emulator's size: what the agent sees as its terminal. */
  cols: number;
  rows: number;
}

export interface SideLayout {
  width: number;
  queue: number;
  workers: number;
  experiments: number;
  log: number;
}

export interface Layout {
  cols: number;
  rows: number;
  header: number;
  tabs: number;
  main: number;
  footer: number;
  view: ViewMode;
  /** The agent panes on screen, row-major (one unless grid). */
  agents: AgentBox[];
  gridColumns: number;
  side: SideLayout | null;
  /** Below MIN_COLS × MIN_ROWS: only a one-line notice is drawn (the real size is in cols/rows). */
  tooSmall: boolean;
}

export const MIN_COLS = 20;
export const MIN_ROWS = 6;

/** Side column width for a terminal width: hidden on narrow terminals so the agent keeps a usable width. */
export function sideWidth(cols: number): number {
  if (cols >= 140) return 52;
  if (cols >= 110) return 42;
  if (cols >= 90) return 34;
  return 0;
}

export function computeLayout(input: {
  cols: number;
  rows: number;
  view: ViewMode;
  agentIds: readonly string[];
  focusedId: string | undefined;
  footerLines: number;
}): Layout {
  const tooSmall = input.cols < MIN_COLS || input.rows < MIN_ROWS;
  if (tooSmall) {
    const cols = Math.max(1, input.cols);
    const rows = Math.max(1, input.rows);
    return {
      cols,
      rows,
      header: 0,
      tabs: 0,
      main: rows,
      footer: 0,
      view: input.view,
      agents: [],
      gridColumns: 1,
      side: null,
      tooSmall,
    };
  }
  const cols = input.cols;
  const rows = input.rows;
  const header = 1;
  const tabs = 1;
  const footer = Math.min(3, Math.max(1, input.footerLines));
  const main = Math.max(1, rows - header - tabs - footer);
  const view = input.view;
  const focused = input.focusedId ?? input.agentIds[0];

  if (view === 'grid' && input.agentIds.length > 1) {
    const n = input.agentIds.length;
    const gridColumns = n <= 2 ? 2 : n <= 6 ? (cols >= 120 || n <= 4 ? Math.min(3, Math.ceil(n / 2)) : 2) : 3;
    const gridRows = Math.ceil(n / gridColumns);
    const cellHeight = Math.floor(main / gridRows);
    const agents: AgentBox[] = input.agentIds.map((id, index) => {
      const column = index % gridColumns;
      const row = Math.floor(index / gridColumns);
      // Spread the remainder over the first columns/rows so the grid fills the screen exactly.
      const width = Math.floor(cols / gridColumns) + (column < cols % gridColumns ? 1 : 0);
      const height = cellHeight + (row < main % gridRows ? 1 : 0);
      const separator = column > 0 ? 1 : 0;
      return { id, width, height, cols: Math.max(1, width - separator), rows: Math.max(1, height - 1) };
    });
    return { cols, rows, header, tabs, main, footer, view, agents, gridColumns, side: null, tooSmall };
  }

  const side = view === 'zoom' ? 0 : sideWidth(cols);
  const paneWidth = cols - side;
  const agents: AgentBox[] = focused
    ? [{ id: focused, width: paneWidth, height: main, cols: Math.max(1, paneWidth), rows: Math.max(1, main - 1) }]
    : [];
  return {
    cols,
    rows,
    header,
    tabs,
    main,
    footer,
    view: view === 'grid' ? 'split' : view,
    agents,
    gridColumns: 1,
    side: side > 0 ? splitSide(side, main) : null,
    tooSmall,
  };
}

/** Side panes stacked: each has a one-line title; the log gets what is left. */
function splitSide(width: number, height: number): SideLayout {
  const queue = Math.max(2, Math.floor(height * 0.3));
  const workers = Math.max(2, Math.floor(height * 0.2));
  const experiments = Math.max(2, Math.floor(height * 0.2));
  const log = height - queue - workers - experiments;
  if (log >= 2) return { width, queue, workers, experiments, log };
  // Too short for four panes: drop the log first, then squeeze the rest.
  const rest = Math.max(0, height);
  const q = Math.ceil(rest / 3);
  const w = Math.floor((rest - q) / 2);
  return { width, queue: q, workers: w, experiments: rest - q - w, log: 0 };
}
