import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/cli.js';
import { fakeAgentWorkspace, ScreenSession, stopService } from './screen-harness.js';
import { isAlive, socketAnswers } from '../helpers/processes.js';
import { waitUntil } from '../supervisor/workspace.js';

/**
 * The agents live in a supervisor service the screen starts and attaches to: closing the screen (q, a hang-up)
 * leaves them working; another screen attaches and shows every pane with its history; Q or `ralph-tui down` stops
 * them. Driven through the real CLI in ptys, with real agent processes.
 */
let sessions: ScreenSession[] = [];
let workspaces: string[] = [];
afterEach(async () => {
  await Promise.all(sessions.map((session) => session.close()));
  for (const ws of workspaces) stopService(ws);
  sessions = [];
  workspaces = [];
});

function open(workspace: string, args: string[] = [], cols = 160, rows = 48): ScreenSession {
  const session = new ScreenSession(['--workspace', workspace, ...args], { cols, rows });
  sessions.push(session);
  if (!workspaces.includes(workspace)) workspaces.push(workspace);
  return session;
}

const socket = (ws: string) => path.join(ws, '.ralph', 'service.sock');

/** The pids the agents were started with, from the event log. */
function startedPids(ws: string): Map<string, number> {
  const pids = new Map<string, number>();
  for (const line of fs.readFileSync(path.join(ws, '.ralph', 'events.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const event = JSON.parse(line) as { agent: string; type: string; pid?: number };
    if (event.type === 'started' && event.pid) pids.set(event.agent, event.pid);
  }
  return pids;
}

function completed(ws: string): number {
  const queue = JSON.parse(
    fs.readFileSync(path.join(ws, 'orchestration', 'shared', 'experiment_queue.json'), 'utf8'),
  ) as { experiment_queue: Array<{ status: string }> };
  return queue.experiment_queue.filter((entry) => entry.status === 'completed').length;
}

describe('the supervisor service (screens attach and detach)', () => {
  it('q detaches: the built-in team keeps working while no screen is open; the next screen shows the panes with their history', async () => {
    const ws = makeTempDir('ralph-service-');
    const first = open(ws);
    await first.waitForText('orchestrator ready', 60_000);
    first.press('q');
    expect((await first.exited).exitCode).toBe(0);
    expect(first.rawOutput()).toContain('detached: the agents keep working in the supervisor service');
    expect(await socketAnswers(socket(ws))).toBe(true);
    // The socket and the folder it sits in are the supervisor's own.
    expect(fs.statSync(socket(ws)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(ws, '.ralph')).mode & 0o777).toBe(0o700);

    const before = completed(ws);
    await waitUntil(() => completed(ws) > before, 120_000, 'an experiment completed with no screen attached');

    const second = open(ws);
    // The orchestrator's first line was printed before the first screen left: it comes from the service's emulator.
    await second.waitForText('orchestrator ready', 10_000);
    await second.waitFor('the header counts what was done meanwhile', (_text, lines) => {
      const done = /(\d+) done/.exec(lines[0] ?? '');
      return done !== null && Number(done[1]) > before;
    });
  }, 240_000);

  it('a hang-up of the terminal detaches: nothing stops, the terminal is restored', async () => {
    const ws = fakeAgentWorkspace(['W0']);
    const s = open(ws, [], 100, 30);
    await s.waitForText('Fake Claude (W0)');
    const pid = startedPids(ws).get('W0')!;
    s.kill('SIGHUP');
    expect((await s.exited).exitCode).toBe(129);
    expect(s.terminal.buffer.active.type).toBe('normal');
    expect(s.terminal.modes.mouseTrackingMode).toBe('none');
    expect(isAlive(pid)).toBe(true);
    expect(fs.readFileSync(path.join(ws, '.ralph', 'events.jsonl'), 'utf8')).not.toMatch(/"type":"stopped"/);
    expect(await socketAnswers(socket(ws))).toBe(true);
    const again = open(ws, [], 100, 30);
    await again.waitForText('Fake Claude (W0)');
    expect(startedPids(ws).get('W0')).toBe(pid);
  }, 60_000);

  it('two screens see the same keystroke echo; a read-only screen refuses keys that change anything', async () => {
    const ws = fakeAgentWorkspace(['W0']);
    const control = open(ws);
    await control.waitForText('Fake Claude (W0)');
    const second = open(ws);
    await second.waitForText('Fake Claude (W0)');
    const watcher = open(ws, ['--read-only']);
    await watcher.waitForText('Fake Claude (W0)');
    await watcher.waitFor('the header says read-only', (_text, lines) => lines[0]!.includes('read-only'));

    control.press('\r');
    await control.waitForText('ATTACHED to W0');
    for (const key of 'hello from one') control.press(key);
    control.press('\r');
    for (const screen of [control, second, watcher]) await screen.waitForText('RECEIVED "hello from one" (typed)');

    watcher.press('s');
    await watcher.waitForText('read-only screen');
    expect(watcher.text()).not.toContain('Graceful stop');
    watcher.press('\r');
    expect(watcher.text()).not.toContain('ATTACHED');
    expect(fs.existsSync(path.join(ws, 'orchestration', 'shared', 'STOP'))).toBe(false);
  }, 60_000);

  it('Q stops every agent and ends the service; a read-only screen cannot start one', async () => {
    const ws = fakeAgentWorkspace(['W0']);
    const s = open(ws);
    await s.waitForText('Fake Claude (W0)');
    const pid = startedPids(ws).get('W0')!;
    s.press('Q');
    await s.waitForText('Stop every agent');
    s.press('y');
    expect((await s.exited).exitCode).toBe(0);
    await waitUntil(() => !isAlive(pid), 15_000, 'the agent process gone');
    expect(fs.existsSync(socket(ws))).toBe(false);
    const watcher = open(ws, ['--read-only']);
    expect((await watcher.exited).exitCode).not.toBe(0);
    expect(watcher.rawOutput()).toContain('no supervisor service runs on');
  }, 60_000);

  it('a screen attaching after ralph.config.json changed says the running service does not use the edit yet', async () => {
    const ws = fakeAgentWorkspace(['W0']);
    const first = open(ws);
    await first.waitForText('Fake Claude (W0)');
    expect(first.text()).not.toContain('ralph.config.json changed');
    first.press('q');
    await first.exited;
    const config = path.join(ws, 'ralph.config.json');
    fs.utimesSync(config, new Date(), new Date(Date.now() + 1000));
    const second = open(ws);
    await second.waitForText('ralph.config.json changed since the supervisor service started');
  }, 60_000);

  it('`ralph-tui down` ends a service a screen left running, with its agents', async () => {
    const ws = fakeAgentWorkspace(['W0']);
    const s = open(ws);
    await s.waitForText('Fake Claude (W0)');
    const pid = startedPids(ws).get('W0')!;
    s.press('q');
    await s.exited;
    expect(isAlive(pid)).toBe(true);
    stopService(ws);
    expect(isAlive(pid)).toBe(false);
    expect(await socketAnswers(socket(ws))).toBe(false);
  }, 60_000);
});
