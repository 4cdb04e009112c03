import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeAgentWorkspace, ScreenSession } from './screen-harness.js';
import { isAlive } from '../helpers/processes.js';

let session: ScreenSession | null = null;

afterEach(async () => {
  await session?.close();
  session = null;
});

function open(workspace: string): ScreenSession {
  session = new ScreenSession(['--workspace', workspace], { cols: 160, rows: 48 });
  return session;
}

function editConfig(ws: string, edit: (config: Record<string, unknown>) => void): void {
  const file = path.join(ws, 'ralph.config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(config);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
}

describe('ralph-tui keys n and x (real CLI in a pty)', () => {
  it('n types the configured loop.nudgeText into the focused agent and records a nudge event', async () => {
    const ws = fakeAgentWorkspace(['W0']);
    editConfig(ws, (config) => {
      config.loop = { nudgeText: 'keep going e2e' };
    });
    const s = open(ws);
    await s.waitForText('Fake Claude (W0)');
    expect(s.text()).not.toContain('RECEIVED');
    s.press('n');
    // The fake agent echoes what it received: the nudge text, delivered as a paste.
    await s.waitForText('RECEIVED "keep going e2e" (paste)');
    const events = fs
      .readFileSync(path.join(ws, '.ralph', 'events.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { agent?: string; type?: string });
    expect(events.some((event) => event.type === 'nudge' && event.agent === 'W0')).toBe(true);
  }, 30_000);

  it('x cancels the selected experiment started with e: the pane shows it cancelled and its process is gone', async () => {
    const ws = fakeAgentWorkspace(['W0']);
    const script = path.join(ws, 'slow.mjs');
    // Fifty slow progress lines: far longer than the test, so only a cancel can end it.
    fs.writeFileSync(
      script,
      'for (let i = 1; i <= 50; i++) { console.log(`[${String(i).padStart(2)}/50] sample s${i} rmse 0.1`); await new Promise((r) => setTimeout(r, 1000)); }\n',
    );
    fs.mkdirSync(path.join(ws, 'experiments', 'aaslow'), { recursive: true });
    fs.writeFileSync(
      path.join(ws, 'experiments', 'aaslow', 'experiment.json'),
      JSON.stringify({ name: 'aaslow', description: 'slow external command', command: `node ${script}` }, null, 2),
    );
    const s = open(ws);
    await s.waitForText('Fake Claude (W0)');
    s.press('e');
    await s.waitForText('Start an experiment');
    await s.waitForText('aaslow');
    // The picker opens on its first entry: workspace experiments come first, sorted by name.
    await s.waitFor('aaslow first in the picker', (_text, lines) =>
      /│\s+aaslow\s/.test(lines[lines.findIndex((l) => l.includes('Start an experiment')) + 1] ?? ''),
    );
    s.press('\r');
    // A command from the workspace runs on this machine only after a person read it and pressed y.
    await s.waitForText('Run a command from experiments/aaslow/experiment.json?');
    await s.waitForText('y run it');
    s.press('y');
    await s.waitFor('the running aaslow bar', (text) => /aaslow [1-9]\d?\/50 \d+%/.test(text));
    const progressDir = path.join(ws, '.ralph', 'progress');
    const statusFiles = () => fs.readdirSync(progressDir).filter((name) => name.endsWith('.json'));
    const readStatus = () =>
      JSON.parse(fs.readFileSync(path.join(progressDir, statusFiles()[0]), 'utf8')) as { state: string; pid?: number };
    expect(statusFiles()).toHaveLength(1);
    const running = readStatus();
    expect(running.state).toBe('running');
    expect(isAlive(running.pid!)).toBe(true);
    s.press('\x1b[B');
    await s.waitFor('aaslow selected', (text) => /›aaslow \d+\/50/.test(text));
    s.press('x');
    await s.waitFor('aaslow shown cancelled', (text) => /✖ aaslow cancelled/.test(text));
    await s.waitFor('the status file no longer running', () => readStatus().state !== 'running');
    expect(readStatus().state).toBe('cancelled');
    const pid = running.pid;
    expect(pid).toBeTypeOf('number');
    await s.waitFor(`the run's process ${pid} gone`, () => !isAlive(pid!));
  }, 40_000);
});
