import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import xterm from '@xterm/headless';
import { nextUp, parseLogEntries, readCoordination, readQueue } from '../../orchestration/index.js';
import { AgentPane } from '../../components/AgentPane.js';
import { AgentTabs } from '../../components/AgentTabs.js';
import { ExperimentsPane } from '../../components/ExperimentsPane.js';
import type { ExperimentRun } from '../../src/app/view-models.js';
import { Footer } from '../../components/Footer.js';
import { Header } from '../../components/Header.js';
import { HelpOverlay } from '../../components/HelpOverlay.js';
import { LogPane, logLineStyle } from '../../components/LogPane.js';
import { QueuePane, queueLines } from '../../components/QueuePane.js';
import { Screen, type ScreenProps } from '../../components/Screen.js';
import { WorkersPane } from '../../components/WorkersPane.js';
import { bindingsFor, footerHints } from '../../src/app/keymap.js';
import { computeLayout } from '../../src/app/layout.js';
import { buildRows } from '../../src/app/terminal-rows.js';
import { agentProblem, agentTabs, queueCounts, workerRows } from '../../src/app/selectors.js';
import { fixtureWorkspace } from './fixture-workspace.js';
import { renderFixed } from './render-fixed.js';

const { Terminal } = xterm;

function expectFits(lines: string[], cols: number, rows: number) {
  expect(lines.length).toBeLessThanOrEqual(rows);
  for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(cols);
}

async function terminalWith(text: string, cols = 40, rows = 6) {
  const t = new Terminal({ cols, rows, scrollback: 100, allowProposedApi: true });
  await new Promise<void>((resolve) => t.write(text, resolve));
  return t;
}

const runs: ExperimentRun[] = [
  {
    id: 'r1',
    name: 'cmaes_fast',
    state: 'running',
    done: 12,
    total: 40,
    etaSeconds: 95,
    elapsedSeconds: 40,
    runningScore: 1.1234,
    projected400Min: 44.5,
    workers: 1,
    lastLines: [],
  },
  {
    id: 'r2',
    name: 'baseline',
    state: 'finished',
    done: 6,
    total: 6,
    elapsedSeconds: 9,
    score: 1.0875,
    projected400Min: 12.1,
    lastLines: [],
  },
  {
    id: 'r3',
    name: 'broken',
    state: 'failed',
    done: 1,
    total: 6,
    elapsedSeconds: 2,
    lastLines: ['Traceback (most recent call last):', 'ValueError: bad sigma'],
  },
];

describe('panes render their snapshots', () => {
  it('Header: best @ minutes vs target and gap, queue health, STOP with draining, clock', () => {
    const r = renderFixed(
      <Header
        name="heat"
        best={{ score: 1.1464, timeMin: 51.2 }}
        target={1.25}
        budgetWorkers={7}
        queue={{ available: 3, claimed: 2, done: 40 }}
        stop={{ present: true }}
        draining={['W1', 'W3']}
        stopping={false}
        clock="08:15:02"
        width={160}
      />,
      { cols: 160, rows: 5 },
    );
    const frame = r.lastFrame();
    // Labelled with what it projects (400 samples at the budget's 7 workers), like the experiments pane's figures.
    expect(frame).toContain('best 1.1464 @ 51.2 min/400@7w');
    expect(frame).toContain('target 1.2500');
    expect(frame).toContain('gap 0.1036');
    expect(frame).toContain('queue 3 avail · 2 claimed · 40 done');
    expect(frame).toContain('STOP · draining: W1, W3 ');
    expect(frame).toContain('08:15:02');
    r.unmount();
  });

  it('AgentTabs: glyph, id, experiment, restarts, CPU %, memory and pinned cores; clipped to one line', () => {
    const tabs = [
      {
        id: 'W0',
        state: 'working' as const,
        restarts: 0,
        cpuPercent: 12.4,
        memoryBytes: 300 * 1024 ** 2,
        cpuset: '0-1',
      },
      { id: 'W1', state: 'needs-input' as const, experiment: 'cmaes_fast', restarts: 2, cpuset: '2-3' },
      { id: 'W2', state: 'exited' as const, restarts: 5 },
    ];
    const r = renderFixed(<AgentTabs tabs={tabs} focusedId="W1" width={120} />, { cols: 120, rows: 3 });
    const frame = r.lastFrame();
    expect(frame).toContain('● 1:W0 12% 300M cpu 0-1');
    expect(frame).toContain('? 2:W1 cmaes_fast ↻2 cpu 2-3');
    expect(frame).toContain('✖ 3:W2 ↻5');
    r.unmount();
    const narrow = renderFixed(<AgentTabs tabs={tabs} focusedId="W1" width={30} />, { cols: 30, rows: 3 });
    expectFits(narrow.lastFrameLines(), 30, 1);
    narrow.unmount();
  });

  it('an agent a person must act on: its tab shows the reason instead of the experiment, and the footer the whole sentence first', () => {
    const problem =
      'image ralph-agent:latest (agent W1) is not on the Docker engine at /var/run/docker.sock — build it with `ralph-tui image build`';
    const sup = {
      agents: [
        { id: 'W0', role: 'orchestrator', runtime: 'docker', state: 'working' as const, restarts: 0 },
        { id: 'W1', role: 'worker', runtime: 'docker', state: 'restarting' as const, restarts: 3, problem },
      ],
      draining: [],
      stopping: false,
      version: 1,
    };
    const ws = {
      queue: null,
      coordination: null,
      stop: { present: false },
      log: { entries: [], lines: [] },
      errors: [{ file: '/w/orchestration/shared/coordination.json', message: 'invalid JSON at line 1, column 2' }],
      version: 1,
    };
    const tabs = agentTabs(sup, ws as never);
    const r = renderFixed(<AgentTabs tabs={tabs} focusedId="W0" width={160} />, { cols: 160, rows: 3 });
    expect(r.lastFrame()).toContain('↻ 2:W1 ⚠ image ralph-agent:latest');
    r.unmount();
    expect(agentProblem(sup)).toBe(`W1: ${problem}`);
    const footer = renderFixed(<Footer hints={footerHints('normal')} error={agentProblem(sup)} width={160} />, {
      cols: 160,
      rows: 2,
    });
    expect(footer.lastFrameLines()[1]).toContain(
      'W1: image ralph-agent:latest (agent W1) is not on the Docker engine at /var/run/docker.sock — build it with `ralph-tui image build`',
    );
    footer.unmount();
  });

  it('AgentTabs: with 100 agents the focused tab is on the line even when it is far past the edge', () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ id: `W${i}`, state: 'working' as const, restarts: 0 }));
    const first = renderFixed(<AgentTabs tabs={many} focusedId="W0" width={80} />, { cols: 80, rows: 3 });
    expect(first.lastFrameLines()[0]).toMatch(/^ ● 1:W0 {2}● 2:W1 /);
    first.unmount();
    const far = renderFixed(<AgentTabs tabs={many} focusedId="W73" width={80} />, { cols: 80, rows: 3 });
    expectFits(far.lastFrameLines(), 80, 1);
    expect(far.lastFrameLines()[0]).toMatch(/● 74:W73 ?$/);
    far.unmount();
  });

  it('QueuePane (fixture queue): in progress with worker, next up by priority, completions with score; clipped', () => {
    const root = fixtureWorkspace();
    const queue = readQueue(root);
    const r = renderFixed(
      <QueuePane
        entries={queue.entries}
        counts={queueCounts({
          queue,
          coordination: null,
          stop: { present: false },
          log: { entries: [], lines: [] },
          errors: [],
          version: 0,
        })}
        width={50}
        height={12}
      />,
      { cols: 50, rows: 12 },
    );
    const lines = r.lastFrameLines();
    expectFits(lines, 50, 12);
    expect(lines[0]).toMatch(/Queue\s+\d+ next · \d+ running · \d+ done/);
    const done = queue.entries.filter((e) => e.status === 'completed' && e.score !== undefined);
    expect(done.length).toBeGreaterThan(0);
    expect(r.lastFrame()).toMatch(/✓ \d\.\d{4}/);
    r.unmount();
  });

  it('QueuePane lists next up in claim order: the entries `status` lists, in its order (the lowest priority number first)', () => {
    const root = fixtureWorkspace();
    const fixture = readQueue(root);
    // The fixture's available entries share one priority: give them a mix (ties keep queue order).
    const queue = {
      ...fixture,
      entries: fixture.entries.map((entry, i) =>
        entry.status === 'available' ? { ...entry, priority: [5, 2, 9, 2, 1][i % 5] } : entry,
      ),
    };
    const shown = queueLines(queue.entries, 60)
      .filter((line) => line.key.startsWith('a'))
      .map((line) => line.key.slice(1));
    expect(shown.length).toBeGreaterThan(4);
    expect(shown).toEqual(
      nextUp(queue)
        .map((entry) => entry.id)
        .slice(0, shown.length),
    );
    expect(queue.entries.find((entry) => entry.id === shown[0])?.priority).toBe(1);
  });

  it('WorkersPane (fixture coordination): status, current experiment, runs, last seen', () => {
    const root = fixtureWorkspace();
    const coordination = readCoordination(root);
    const workers = workerRows({
      queue: null,
      coordination,
      stop: { present: false },
      log: { entries: [], lines: [] },
      errors: [],
      version: 0,
    });
    expect(workers.map((w) => w.id)).toEqual(['W1', 'W2', 'W3', 'W4']);
    const r = renderFixed(
      <WorkersPane workers={workers} now={Date.parse('2026-01-28T03:00:00Z')} width={60} height={6} />,
      { cols: 60, rows: 6 },
    );
    const frame = r.lastFrame();
    expect(frame).toContain('EXP_45PCT_TEMPORAL_001');
    expect(frame).toMatch(/W4\s+idle/);
    expectFits(r.lastFrameLines(), 60, 6);
    r.unmount();
  });

  it('ExperimentsPane: live bar with done/total, ETA, running score and projection; finished score; failure lines', () => {
    const r = renderFixed(<ExperimentsPane runs={runs} selectedId="r1" width={70} height={8} />, { cols: 70, rows: 8 });
    const frame = r.lastFrame();
    expect(frame).toContain('cmaes_fast 12/40 30%');
    // The same label as the header's best: minutes for 400 samples at this run's worker count.
    expect(frame).toMatch(/█+░+ ETA 1m35s · score 1\.1234 · 44\.5 min\/400@1w/);
    expect(frame).toContain('✓ baseline 1.0875');
    expect(frame).toContain('✖ broken failed');
    expect(frame).toContain('ValueError: bad sigma');
    r.unmount();
    const short = renderFixed(<ExperimentsPane runs={runs} selectedId={undefined} width={30} height={3} />, {
      cols: 30,
      rows: 3,
    });
    expectFits(short.lastFrameLines(), 30, 3);
    short.unmount();
  });

  it('LogPane (fixture ITERATION_LOG): one line per entry, newest last, NEW BEST and FAILED highlighted', () => {
    const root = fixtureWorkspace();
    const text = fs.readFileSync(path.join(root, 'ITERATION_LOG.md'), 'utf8');
    const entries = parseLogEntries(text);
    const r = renderFixed(<LogPane entries={entries} lines={text.split('\n')} width={60} height={10} />, {
      cols: 60,
      rows: 10,
    });
    const shown = r.lastFrameLines();
    expectFits(shown, 60, 10);
    expect(shown[0]).toContain(`ITERATION_LOG  ${entries.length} entries`);
    expect(shown.at(-1)).toBe('W1 perturbed_extended_polish 1.1464 @51.2m NEW BEST');
    r.unmount();
    // A log without entries (a fresh header) shows its raw last lines.
    const raw = renderFixed(<LogPane entries={[]} lines={['# Iteration Log', '', 'started']} width={40} height={4} />, {
      cols: 40,
      rows: 4,
    });
    expect(raw.lastFrameLines().slice(1)).toEqual(['# Iteration Log', 'started']);
    raw.unmount();
    expect(logLineStyle('### [W1] Experiment: x | Score: 1.1464 @ 51.2 min | **NEW BEST**')).toMatchObject({
      color: 'green',
      bold: true,
    });
    expect(logLineStyle('### [W2] Experiment: y | FAILED - Cannot Reproduce')).toMatchObject({ color: 'red' });
  });

  it('AgentPane: the emulator rows under a title, the attach badge, the scrolled mark, clipped to its box', async () => {
    const t = await terminalWith(
      '\x1b[32mhello from W2\x1b[0m\r\n' + 'x'.repeat(40) + '\r\nline3\r\nline4\r\nline5\r\nline6',
    );
    const rows = buildRows(t);
    const attached = renderFixed(
      <AgentPane id="W2" subtitle="working" rows={rows} width={60} height={4} focused attached scrolled={false} />,
      { cols: 60, rows: 4 },
    );
    const lines = attached.lastFrameLines();
    expect(lines[0]).toContain('ATTACHED to W2 — Ctrl-] to detach');
    expect(lines[1]).toBe('hello from W2');
    expectFits(lines, 60, 4);
    attached.unmount();
    const scrolled = renderFixed(
      <AgentPane id="W2" rows={rows} width={30} height={3} focused={false} attached={false} scrolled />,
      { cols: 30, rows: 3 },
    );
    expect(scrolled.lastFrameLines()[0]).toContain('scrolled — End to follow');
    expectFits(scrolled.lastFrameLines(), 30, 3);
    scrolled.unmount();
  });

  it('Footer: the keys of the current mode, and a malformed-file error on its own line', () => {
    const r = renderFixed(
      <Footer
        hints={footerHints('normal')}
        error="experiment_queue.json: invalid JSON at line 3, column 5"
        width={120}
      />,
      { cols: 120, rows: 2 },
    );
    const [keys, error] = r.lastFrameLines();
    expect(keys).toContain('1-9 agent');
    expect(keys).toContain('q detach');
    expect(error).toContain('experiment_queue.json: invalid JSON at line 3, column 5');
    r.unmount();
  });

  it.each([
    [80, 24],
    [160, 48],
  ])(
    'HelpOverlay at %i×%i fits the main area and keeps every binding legible: label, then its description whole',
    (cols, rows) => {
      const bindings = bindingsFor('normal');
      const { main } = computeLayout({
        cols,
        rows,
        view: 'split',
        agentIds: ['W0', 'W1'],
        focusedId: 'W0',
        footerLines: 1,
      });
      const r = renderFixed(<HelpOverlay bindings={bindings} width={cols} height={main} />, { cols, rows: main });
      const lines = r.lastFrameLines();
      expectFits(lines, cols, main);
      expect(
        lines.some((line) => line.includes('Esc closes')),
        'the last row is there',
      ).toBe(true);
      expect(
        lines.some((line) => /╰─+╯/.test(line)),
        'the bottom border is there',
      ).toBe(true);
      const text = lines.join('\n');
      for (const binding of bindings) {
        const [first, ...rest] = binding.description.split(' ');
        // The label and the first word of its description share a row, separated by spaces only.
        expect(text, binding.label).toMatch(
          new RegExp(
            `${binding.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +${first.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
          ),
        );
        for (const word of rest) expect(text, binding.description).toContain(word);
      }
      r.unmount();
    },
  );

  it('HelpOverlay lists every normal-mode binding of the keymap', () => {
    const bindings = bindingsFor('normal');
    const r = renderFixed(<HelpOverlay bindings={bindings} width={100} height={40} />, { cols: 100, rows: 40 });
    const frame = r.lastFrame();
    for (const binding of bindings) {
      expect(frame).toContain(binding.label);
      expect(frame).toContain(binding.description);
    }
    r.unmount();
  });
});

describe('Screen (the whole frame)', () => {
  async function props(cols: number, rows: number, view: 'split' | 'zoom' | 'grid'): Promise<ScreenProps> {
    const root = fixtureWorkspace();
    const queue = readQueue(root);
    const coordination = readCoordination(root);
    const logText = fs.readFileSync(path.join(root, 'ITERATION_LOG.md'), 'utf8');
    const ws = {
      queue,
      coordination,
      stop: { present: false },
      log: { entries: parseLogEntries(logText), lines: logText.split('\n') },
      errors: [],
      version: 1,
    };
    const ids = ['W0', 'W1', 'W2', 'W3', 'W4'];
    const layout = computeLayout({ cols, rows, view, agentIds: ids, focusedId: 'W1', footerLines: 2 });
    const terminals = await Promise.all(
      ids.map((id) => terminalWith(`${id} says ${'long output '.repeat(30)}\r\n`.repeat(60), 200, 60)),
    );
    return {
      layout,
      header: {
        name: 'heat',
        best: coordination.best,
        target: coordination.target,
        queue: queueCounts(ws),
        stop: { present: false },
        draining: [],
        stopping: false,
        clock: '10:00:00',
      },
      tabs: ids.map((id) => ({ id, state: 'working', restarts: 0 })),
      focusedId: 'W1',
      renderAgent: (box) => (
        <AgentPane
          key={box.id}
          id={box.id}
          rows={buildRows(terminals[ids.indexOf(box.id)], { rows: box.rows })}
          width={box.width}
          height={box.height}
          focused={box.id === 'W1'}
          attached={false}
          scrolled={false}
        />
      ),
      queue: { entries: queue.entries, counts: queueCounts(ws), missing: false },
      workers: workerRows(ws),
      now: Date.now(),
      runs,
      selectedRunId: undefined,
      log: ws.log,
      footer: { hints: footerHints('normal'), error: 'coordination.json: invalid JSON at line 1, column 2' },
    };
  }

  it('is never taller or wider than the terminal, with long content everywhere, in every view', async () => {
    for (const [cols, rows] of [
      [160, 48],
      [100, 30],
      [80, 24],
      [40, 10],
    ] as const) {
      for (const view of ['split', 'zoom', 'grid'] as const) {
        const r = renderFixed(<Screen {...await props(cols, rows, view)} />, { cols, rows });
        const lines = r.lastFrameLines();
        expectFits(lines, cols, rows);
        expect(lines.length, `${cols}x${rows} ${view}`).toBe(rows);
        expect(lines.at(-1)).toContain('coordination.json: invalid JSON');
        r.unmount();
      }
    }
    const tiny = renderFixed(<Screen {...await props(15, 4, 'split')} />, { cols: 15, rows: 4 });
    expectFits(tiny.lastFrameLines(), 15, 4);
    expect(tiny.lastFrame()).toContain('ralph-tui: ter');
    tiny.unmount();
  });

  it('shows every agent in the grid and the side panes beside the focused agent', async () => {
    const grid = renderFixed(<Screen {...await props(160, 48, 'grid')} />, { cols: 160, rows: 48 });
    for (const id of ['W0', 'W1', 'W2', 'W3', 'W4']) expect(grid.lastFrame()).toContain(`${id} says`);
    grid.unmount();
    const split = renderFixed(<Screen {...await props(160, 48, 'split')} />, { cols: 160, rows: 48 });
    const frame = split.lastFrame();
    expect(frame).toContain('W1 says');
    expect(frame).not.toContain('W2 says');
    for (const title of ['Queue', 'Workers', 'Experiments', 'ITERATION_LOG']) expect(frame).toContain(title);
    split.unmount();
  });
});
