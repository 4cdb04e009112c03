import { describe, expect, it } from 'vitest';
import { computeLayout } from '../../src/app/layout.js';

const ids = ['W0', 'W1', 'W2', 'W3', 'W4'];

describe('computeLayout', () => {
  it('is never taller than the terminal and fills it exactly, for every size and view', () => {
    for (const view of ['split', 'zoom', 'grid'] as const) {
      for (const cols of [20, 60, 89, 90, 120, 160, 250]) {
        for (const rows of [6, 10, 24, 48, 80]) {
          for (const footerLines of [1, 2, 3]) {
            const layout = computeLayout({ cols, rows, view, agentIds: ids, focusedId: 'W2', footerLines });
            expect(layout.header + layout.tabs + layout.main + layout.footer).toBe(rows);
            if (layout.side) {
              const s = layout.side;
              expect(s.queue + s.workers + s.experiments + s.log).toBe(layout.main);
            }
            if (layout.view === 'grid') {
              const perRow = new Map<number, number>();
              layout.agents.forEach((box, i) =>
                perRow.set(
                  Math.floor(i / layout.gridColumns),
                  (perRow.get(Math.floor(i / layout.gridColumns)) ?? 0) + box.width,
                ),
              );
              for (const width of perRow.values()) expect(width).toBeLessThanOrEqual(cols);
              const heights = layout.agents
                .filter((_, i) => i % layout.gridColumns === 0)
                .reduce((sum, box) => sum + box.height, 0);
              expect(heights).toBeLessThanOrEqual(layout.main);
            } else {
              expect(layout.agents[0].width + (layout.side?.width ?? 0)).toBe(cols);
            }
          }
        }
      }
    }
  });

  it('below 20×6 draws no panes and stays within the terminal', () => {
    const tiny = computeLayout({ cols: 15, rows: 4, view: 'split', agentIds: ids, focusedId: 'W0', footerLines: 1 });
    expect(tiny).toMatchObject({ tooSmall: true, cols: 15, rows: 4, agents: [] });
  });

  it('gives the emulator the pane inner size: full width below a title line', () => {
    const split = computeLayout({ cols: 160, rows: 48, view: 'split', agentIds: ids, focusedId: 'W1', footerLines: 1 });
    expect(split.agents).toEqual([{ id: 'W1', width: 160 - 52, height: 45, cols: 108, rows: 44 }]);
    const zoom = computeLayout({ cols: 160, rows: 48, view: 'zoom', agentIds: ids, focusedId: 'W1', footerLines: 1 });
    expect(zoom.side).toBeNull();
    expect(zoom.agents[0]).toMatchObject({ cols: 160, rows: 44 });
  });

  it('shows every agent in the grid and hides the side panes on a narrow terminal', () => {
    const grid = computeLayout({ cols: 160, rows: 48, view: 'grid', agentIds: ids, focusedId: 'W1', footerLines: 1 });
    expect(grid.agents.map((box) => box.id)).toEqual(ids);
    const narrow = computeLayout({ cols: 80, rows: 24, view: 'split', agentIds: ids, focusedId: 'W0', footerLines: 1 });
    expect(narrow.side).toBeNull();
  });
});
