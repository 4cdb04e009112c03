import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { cliPath, makeTempDir, runCli } from '../helpers/cli.js';
import { fakeClaudeCommand, makeWorkspace } from './workspace.js';

describe('ralph-tui up --headless', () => {
  it('starts every agent, prints one line per event, and exits 0 after --exit-after', async () => {
    const { root } = makeWorkspace({
      agents: [
        {
          id: 'W1',
          role: 'worker',
          kind: 'custom',
          command: fakeClaudeCommand('--exit-after-prompt 3 --work-ms 100'),
          prompt: { text: 'go' },
        },
        { id: 'W2', role: 'worker', kind: 'custom', command: fakeClaudeCommand('--silent'), prompt: { text: 'go' } },
      ],
    });
    const result = await runCli(['up', '--headless', '--exit-after', '3', '--workspace', root]);

    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d W1 started \(pid \d+\)$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^\d\d:\d\d:\d\d W2 prompt delivered \(2 chars, bracketed paste\)$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d W1 exited with code 3 /));
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d W1 restart in 100 ms \(exit code 3/));
    expect(lines).toContainEqual('ralph-tui: shutting down (--exit-after 3 s)');
    // Nothing left running: the lock is released and W2's process is gone.
    expect(fs.existsSync(path.join(root, '.ralph', 'supervisor.lock'))).toBe(false);
  });

  it('exits by itself when STOP is present at start: the team stays stopped, no agent starts', async () => {
    const { root } = makeWorkspace({
      agents: [
        {
          id: 'W1',
          role: 'worker',
          kind: 'custom',
          command: fakeClaudeCommand('--exit-after-prompt 0'),
          prompt: { text: 'go' },
        },
      ],
    });
    fs.mkdirSync(path.join(root, 'orchestration', 'shared'), { recursive: true });
    fs.writeFileSync(path.join(root, 'orchestration', 'shared', 'STOP'), 'done for today\n');
    const result = await runCli(['up', '--headless', '--workspace', root], { timeout: 30_000 });

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      '* stop requested (STOP file present (done for today): agents stay stopped until resumed',
    );
    expect(result.stdout).not.toMatch(/W1 started/);
    expect(result.stdout).toContain('ralph-tui: shutting down (every agent stopped)');
  });

  it("SIGTERM stops the agents' processes and exits 0", async () => {
    const { root } = makeWorkspace({
      agents: [
        { id: 'W1', role: 'worker', kind: 'custom', command: fakeClaudeCommand('--silent'), prompt: { text: 'go' } },
      ],
    });
    const child = execa(process.execPath, [cliPath, 'up', '--headless', '--workspace', root], {
      reject: false,
      env: { FORCE_COLOR: '0' },
    });
    let stdout = '';
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (data: Buffer) => {
        stdout += data.toString();
        if (stdout.includes('W1 prompt delivered')) resolve();
      });
    });
    const agentPid = Number(/W1 started \(pid (\d+)\)/.exec(stdout)![1]);
    child.kill('SIGTERM');
    const result = await child;

    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toContain('ralph-tui: shutting down (received SIGTERM)');
    expect(String(result.stdout)).toMatch(/W1 stopped \(supervisor shut down\)/);
    expect(
      fs.existsSync(`/proc/${agentPid}`) && !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${agentPid}/status`, 'utf8')),
    ).toBe(false);
  });

  it('after kill -9 of a supervisor, the next one takes its lock at once (its holder is gone), while a live one is refused', async () => {
    const { root } = makeWorkspace({
      agents: [
        { id: 'W1', role: 'worker', kind: 'custom', command: fakeClaudeCommand('--silent'), prompt: { text: 'go' } },
      ],
    });
    const first = execa(process.execPath, [cliPath, 'up', '--headless', '--workspace', root], {
      reject: false,
      env: { FORCE_COLOR: '0' },
    });
    await new Promise<void>((resolve) =>
      first.stdout!.on('data', (data: Buffer) => data.includes('W1 started') && resolve()),
    );
    const refused = await runCli(['up', '--headless', '--exit-after', '1', '--workspace', root]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`another ralph-tui supervisor is running on ${root} (pid ${first.pid})`);

    first.kill('SIGKILL');
    await first;
    // Well inside proper-lockfile's stale time (10 s): the lock's holder is known to be gone.
    const next = await runCli(['up', '--headless', '--exit-after', '1', '--workspace', root], { timeout: 9_000 });
    expect(next.stderr).toBe('');
    expect(next.exitCode).toBe(0);
    expect(next.stdout).toMatch(/W1 started/);
  });

  it('a fresh folder is initialised (built-in agents) and its agents started', async () => {
    const root = makeTempDir('ralph-up-init-');
    const result = await runCli(['up', '--headless', '--exit-after', '2', '--workspace', root]);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`ralph-tui: no ralph.config.json in ${root} — initialised it`);
    expect(result.stdout).toMatch(/W0 started \(pid \d+\)/);
    expect(fs.existsSync(path.join(root, 'ralph.config.json'))).toBe(true);
  });

  it('a config that does not validate is one clear error naming the field, and nothing starts', async () => {
    const { root } = makeWorkspace({ agents: [{ id: 'W1', role: 'worker', kind: 'custom', command: 'true' }] });
    fs.writeFileSync(
      path.join(root, 'ralph.config.json'),
      JSON.stringify({ agents: [{ id: 'worker-1', role: 'worker' }] }),
    );
    const result = await runCli(['up', '--headless', '--workspace', root]);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^ralph-tui: .*ralph\.config\.json: field agents\[0\]\.id: expected an id like W0, W1/,
    );
    expect(fs.existsSync(path.join(root, '.ralph', 'events.jsonl'))).toBe(false);
  });

  it('two agents pinned to the same CPU are refused with one sentence naming both, and nothing starts', async () => {
    const { root } = makeWorkspace({
      agents: [
        { id: 'W1', role: 'worker', kind: 'custom', command: 'true', cpuset: '0' },
        { id: 'W2', role: 'worker', kind: 'custom', command: 'true', cpuset: '0' },
      ],
    });
    const result = await runCli(['up', '--headless', '--workspace', root]);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^ralph-tui: agents W1 and W2 both use CPU 0/);
    expect(fs.existsSync(path.join(root, '.ralph', 'events.jsonl'))).toBe(false);
  });

  it('without --headless it points to the full-screen app', async () => {
    const result = await runCli(['up']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('run `ralph-tui` with no command, or add --headless');
  });
});
