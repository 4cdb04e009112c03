import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixturesDir } from '../helpers/cli.js';
import { fakeAgentWorkspace, keyAgent, ScreenSession, streamAgent } from './screen-harness.js';

const ESC = '\x1b';
let session: ScreenSession | null = null;

afterEach(async () => {
  await session?.close();
  session = null;
});

function open(workspace: string, cols = 160, rows = 48, args: string[] = []): ScreenSession {
  session = new ScreenSession(['--workspace', workspace, ...args], { cols, rows });
  return session;
}

/** The focused agent pane's title row: the row under the tabs. */
function paneTitle(lines: string[]): string {
  return lines[2] ?? '';
}

describe('ralph-tui (the full-screen app, real CLI in a pty)', () => {
  it('switches panes with 1-9/Tab/Shift-Tab, attaches, types to the agent, sees the echo, detaches; zoom and grid', async () => {
    const ws = fakeAgentWorkspace();
    const s = open(ws);
    await s.waitFor(
      'W0 banner in the focused pane',
      (text, lines) => paneTitle(lines).includes('W0') && text.includes('Fake Claude (W0)'),
    );
    s.press('2');
    await s.waitFor(
      'W1 focused',
      (text, lines) =>
        paneTitle(lines).startsWith(' W1') && text.includes('Fake Claude (W1)') && !text.includes('Fake Claude (W0)'),
    );
    s.press('\t');
    await s.waitFor(
      'W2 focused after Tab',
      (text, lines) => paneTitle(lines).startsWith(' W2') && text.includes('Fake Claude (W2)'),
    );
    s.press(`${ESC}[Z`);
    await s.waitFor('W1 focused after Shift-Tab', (_text, lines) => paneTitle(lines).startsWith(' W1'));

    s.press('\r');
    await s.waitForText('ATTACHED to W1 — Ctrl-] to detach');
    // Hotkeys are inactive while attached: "q" and "s" go to the agent as text.
    for (const key of 'qs hello') s.press(key);
    s.press('\r');
    await s.waitForText('RECEIVED "qs hello" (typed)');
    expect(s.text()).not.toContain('Stop every agent');
    // A paste (the real terminal wraps it, ralph-tui asked for bracketed paste) reaches the agent as one
    // bracketed paste, because the agent enabled bracketed paste itself.
    s.press(`${ESC}[200~pasted text${ESC}[201~`, '\r');
    await s.waitForText('RECEIVED "pasted text" (paste)');
    s.press('\x1d');
    await s.waitFor('detached', (text) => !text.includes('ATTACHED to W1'));

    s.press('z');
    await s.waitFor('zoom hides the side panes', (text) => !text.includes('ITERATION_LOG'));
    s.press('z');
    await s.waitForText('ITERATION_LOG');
    s.press('g');
    await s.waitFor('grid shows every agent', (text) =>
      ['W0', 'W1', 'W2'].every((id) => text.includes(`Fake Claude (${id})`)),
    );
    s.press('g');

    // Q stops everything, after a dialog that speaks of this local workspace's agents, not of containers.
    s.press('Q');
    await s.waitForText('Stop every agent');
    await s.waitForText('q only detaches');
    expect(s.text()).not.toMatch(/container/i);
    s.press('y');
    const exit = await s.exited;
    expect(exit.exitCode).toBe(0);
    expect(s.rawOutput()).toContain('every agent stopped; the supervisor service ended');
    expect(fs.existsSync(path.join(ws, '.ralph', 'service.sock'))).toBe(false);
  });

  it('scrolls back with PgUp ("scrolled — End to follow"), End follows again; / searches; r restarts the agent', async () => {
    const ws = fakeAgentWorkspace(['W0'], `node ${streamAgent} --rate 4000 --seconds 2`);
    const s = open(ws, 120, 30);
    // ~36 lines in 2 s into a 25-row pane: the first lines are in the scrollback.
    await s.waitFor('the stream to fill the scrollback', (text) => /W0\s+30 token/.test(text));
    s.press(`${ESC}[5~`);
    await s.waitForText('scrolled — End to follow');
    s.press(`${ESC}[F`);
    await s.waitFor('following again', (text) => !text.includes('scrolled — End to follow'));
    // Mouse wheel up (SGR report, as a terminal sends it with ?1000h?1006h on) scrolls back too.
    s.press(`${ESC}[<64;20;10M`);
    await s.waitForText('scrolled — End to follow');
    s.press(`${ESC}[F`);
    await s.waitFor('following again', (text) => !text.includes('scrolled — End to follow'));
    s.press('/');
    for (const key of 'no-such-text') s.press(key);
    s.press('\r');
    await s.waitFor('"not found" in the search bar', (_text, lines) =>
      lines.some((line) => line.startsWith('/no-such-text') && line.includes('not found')),
    );
    s.press(ESC);
    await s.waitFor('search bar closed', (_text, lines) => !lines.some((line) => line.startsWith('/no-such-text')));
    s.press('/');
    for (const key of 'stream agent W0') s.press(key);
    s.press('\r');
    await s.waitFor(
      'the first line, found in the scrollback',
      (text) => text.includes('scrolled — End to follow') && text.includes('stream agent W0 at'),
    );
    s.press(ESC);
    await s.waitFor('search bar closed', (_text, lines) => !lines.some((line) => line.startsWith('/stream')));
    s.press('r');
    await s.waitFor('a restart counted in the tab', (_text, lines) => lines[1].includes('↻1'));
  });

  it('sends cursor keys in application mode to an agent that enabled it, and Ctrl-C as a byte while attached', async () => {
    const ws = fakeAgentWorkspace(['W0'], `node ${keyAgent}`);
    const s = open(ws, 120, 30);
    await s.waitForText('key agent ready');
    s.press('\r');
    await s.waitForText('ATTACHED to W0');
    s.press(`${ESC}[A`);
    await s.waitForText('BYTES 1b 4f 41');
    s.press('\x03');
    // The agent got the byte and exited 130 itself; the screen is still there.
    await s.waitFor('the agent exited', (_text, lines) => lines[1].includes('✖') || lines[1].includes('↻'));
    expect(s.text()).toContain('ralph-tui');
  });

  it('keeps the last good queue and shows the file error in the footer when the queue JSON breaks', async () => {
    const ws = fakeAgentWorkspace();
    const s = open(ws);
    await s.waitForText('second_nm_polish_round');
    fs.writeFileSync(
      path.join(ws, 'orchestration', 'shared', 'experiment_queue.json'),
      '{ "experiment_queue": [ { "id": ',
    );
    await s.waitFor('a footer error naming the queue file', (_text, lines) =>
      lines.slice(-2).some((line) => line.includes('experiment_queue.json')),
    );
    expect(s.text()).toContain('second_nm_polish_round');
  });

  it('s + confirm writes STOP and the header shows draining agents; u clears it; Ctrl-C twice detaches', async () => {
    const ws = fakeAgentWorkspace();
    const s = open(ws);
    await s.waitForText('Fake Claude (W0)');
    s.press('s');
    await s.waitForText('Graceful stop');
    s.press('y');
    await s.waitFor('STOP and draining in the header', (_text, lines) => /STOP · draining: W\d/.test(lines[0]));
    expect(fs.existsSync(path.join(ws, 'orchestration', 'shared', 'STOP'))).toBe(true);
    s.press('u');
    await s.waitFor('STOP cleared', (_text, lines) => !lines[0].includes('STOP'));
    expect(fs.existsSync(path.join(ws, 'orchestration', 'shared', 'STOP'))).toBe(false);
    // Ctrl-C twice detaches at once (no dialog).
    s.press('\x03');
    await s.waitForText('press Ctrl-C again to detach');
    s.press('\x03');
    expect((await s.exited).exitCode).toBe(130);
  });

  it('starts an experiment from the picker and shows its bar reaching 100% and its score', async () => {
    const ws = fakeAgentWorkspace(['W0']);
    const s = open(ws);
    await s.waitForText('Fake Claude (W0)');
    s.press('e');
    await s.waitForText('Start an experiment');
    expect(s.text()).toContain('tiny');
    s.press('\r');
    await s.waitFor(
      'the live progress line of the run',
      (text) => /tiny \d\/[\d?]+ \d+%/.test(text) || /✓ tiny/.test(text),
      30_000,
    );
    await s.waitFor('the finished run with its score', (text) => /✓ tiny \d\.\d{4}/.test(text), 90_000);
    expect(s.text()).toMatch(/✓ tiny \d\.\d{4}.*\(2\/2\)/);
    // Its status file (.ralph/progress/) carries the runner's id: listed once, not twice.
    expect(s.text().match(/✓ tiny/g)).toHaveLength(1);
  }, 120_000);

  it("shows the live bar of an experiment an agent runs itself (`ralph-tui run` in its own pane), with the agent's id", async () => {
    // W1 is a fake worker: it runs an experiment as its own child process, as built-in and Claude workers do.
    const worker =
      'if [ "$RALPH_AGENT_ID" = W1 ]; then ralph-tui run tiny --workers 1 --data data/six.json --progress json > /dev/null; echo RUN-DONE; fi; exec sleep 600';
    const ws = fakeAgentWorkspace(['W0', 'W1'], worker);
    fs.copyFileSync(path.join(fixturesDir, 'synthetic-6.json'), path.join(ws, 'data', 'six.json'));
    const s = open(ws);
    await s.waitFor("the running bar of W1's run", (text) => /tiny \d\/6 \d+% · W1/.test(text), 60_000);
    expect(s.text()).toMatch(/█*░+ ETA /);
    await s.waitFor("W1's run finished with its score", (text) => /✓ tiny \d\.\d{4}.*\(6\/6\) · W1/.test(text), 90_000);
    expect(s.text()).not.toContain('e to start one');
  }, 120_000);

  it('follows a terminal resize, and SIGTERM leaves the terminal usable', async () => {
    const ws = fakeAgentWorkspace(['W0', 'W1']);
    const s = open(ws, 160, 48);
    await s.waitForText('Fake Claude (W0)');
    s.resize(100, 30);
    await s.waitFor('the layout of a 100×30 terminal', (_text, lines) => {
      const queueRow = lines.findIndex((line) => line.includes('Queue'));
      // Side column of a 100-column terminal is 34 wide (its border at column 66); the footer on row 30.
      return queueRow >= 0 && lines[queueRow].indexOf('Queue') === 100 - 34 + 2 && lines[29].includes('detach');
    });
    s.kill('SIGTERM');
    const exit = await s.exited;
    expect(exit.exitCode).toBe(143);
    const core = (
      s.terminal as unknown as {
        _core: { coreService: { isCursorHidden: boolean; decPrivateModes: { bracketedPasteMode: boolean } } };
      }
    )._core;
    expect(s.terminal.buffer.active.type).toBe('normal');
    expect(core.coreService.isCursorHidden).toBe(false);
    expect(s.terminal.modes.mouseTrackingMode).toBe('none');
    expect(s.terminal.modes.bracketedPasteMode).toBe(false);
  });
});
