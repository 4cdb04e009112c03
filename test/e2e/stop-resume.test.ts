import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeAgentWorkspace, ScreenSession } from './screen-harness.js';

/**
 * Stop and resume in every order, driven through the real screen (the CLI in a pty) with agents that ignore STOP
 * (so a graceful stop drains until forced). The header must say what is true at each step.
 */
let sessions: ScreenSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.map((session) => session.close()));
  sessions = [];
});

function open(workspace: string): ScreenSession {
  const session = new ScreenSession(['--workspace', workspace], { cols: 160, rows: 48 });
  sessions.push(session);
  return session;
}

const stopFile = (ws: string) => path.join(ws, 'orchestration', 'shared', 'STOP');
const header = (lines: string[]) => lines[0];
const tabs = (lines: string[]) => lines[1];
const allStopped = (lines: string[]) => (tabs(lines).match(/■ \d:W\d/g) ?? []).length === 2;
const allRunning = (lines: string[]) => /[◌●○] 1:W0/.test(tabs(lines)) && /[◌●○] 2:W1/.test(tabs(lines));

async function started(s: ScreenSession): Promise<void> {
  await s.waitFor('both agents up', (text, lines) => text.includes('Fake Claude (W0)') && allRunning(lines), 30_000);
}

async function confirm(s: ScreenSession, key: string, title: string): Promise<void> {
  s.press(key);
  await s.waitForText(title);
  s.press('y');
}

async function resumed(s: ScreenSession, ws: string): Promise<void> {
  s.press('u');
  await s.waitFor(
    'agents running again, no STOP in the header',
    (_text, lines) => !/STOP|stopping/.test(header(lines)) && allRunning(lines),
    30_000,
  );
  expect(fs.existsSync(stopFile(ws))).toBe(false);
}

describe('stop and resume through the screen (real CLI in a pty)', () => {
  it('s drains (the header names who still runs), S then ends them, u starts them again', async () => {
    const ws = fakeAgentWorkspace(['W0', 'W1']);
    const s = open(ws);
    await started(s);
    await confirm(s, 's', 'Graceful stop');
    await s.waitFor('draining in the header', (_text, lines) => /STOP · draining: W0, W1/.test(header(lines)));
    await confirm(s, 'S', 'Forced stop');
    await s.waitFor(
      'both stopped, the header says STOP and nothing drains',
      (_text, lines) => allStopped(lines) && /│ STOP\s*\d/.test(header(lines)),
      30_000,
    );
    await resumed(s, ws);
  });

  it('S alone stops every agent at once and writes STOP (forced); u lifts it and every agent restarts', async () => {
    const ws = fakeAgentWorkspace(['W0', 'W1']);
    const s = open(ws);
    await started(s);
    await confirm(s, 'S', 'Forced stop');
    await s.waitFor(
      'both stopped under STOP',
      (_text, lines) => allStopped(lines) && /│ STOP\s*\d/.test(header(lines)),
      30_000,
    );
    expect(fs.readFileSync(stopFile(ws), 'utf8')).toMatch(/^forced/);
    await resumed(s, ws);
  });

  it('a stop outlives the supervisor service: after s and Q (stop every agent), the next start keeps the agents stopped and says STOP; u starts them', async () => {
    const ws = fakeAgentWorkspace(['W0', 'W1']);
    const first = open(ws);
    await started(first);
    await confirm(first, 's', 'Graceful stop');
    await first.waitFor('STOP in the header', (_text, lines) => /STOP/.test(header(lines)));
    await confirm(first, 'Q', 'Stop every agent');
    expect((await first.exited).exitCode).toBe(0);

    const second = open(ws);
    await second.waitFor(
      'stopped from the first frame',
      (_text, lines) => allStopped(lines) && /│ STOP\s*\d/.test(header(lines)),
      30_000,
    );
    expect(second.text()).not.toContain('Fake Claude (W0)');
    await resumed(second, ws);
  });
});
