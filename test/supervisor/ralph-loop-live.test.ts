import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_NUDGE } from '../../src/config.js';
import { Supervisor } from '../../src/supervisor/index.js';
import { runCli } from '../helpers/cli.js';
import {
  count,
  fakeClaude,
  fakeClaudeCommand,
  launchSupervisor,
  readTranscript,
  shutdownLaunched,
  sleep,
  waitUntil,
} from './workspace.js';

afterEach(shutdownLaunched);

const agent = (command: string, extra: Record<string, unknown> = {}) => ({
  id: 'W1',
  role: 'worker',
  kind: 'custom',
  command,
  prompt: { text: 'Run the next experiment.' },
  ...extra,
});

describe('the Ralph loop with real ptys and fake agents', () => {
  it('restarts an agent that keeps failing with exponential backoff and delivers the prompt again each time', async () => {
    const { root, supervisor, recorder } = launchSupervisor({
      agents: [agent(fakeClaudeCommand('--exit-after-prompt 1 --work-ms 50'))],
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'started', 3);

    const delays = recorder.of('restart-scheduled').map((event) => event.delayMs);
    expect(delays.slice(0, 2)).toEqual([100, 200]);
    expect(recorder.of('exit').every((event) => event.exitCode === 1)).toBe(true);
    expect(recorder.of('prompt-delivered').length).toBeGreaterThanOrEqual(2);
    expect(supervisor.getSnapshot().agents[0].restarts).toBeGreaterThanOrEqual(2);
    // The prompt arrived as one bracketed paste in the first two sessions.
    expect(count(readTranscript(root, 'W1'), 'RECEIVED "Run the next experiment." (paste)')).toBeGreaterThanOrEqual(2);
  });

  it('does not restart an agent when the STOP file appears during its backoff', async () => {
    const { root, supervisor, recorder } = launchSupervisor({
      agents: [agent(fakeClaudeCommand('--exit-after-prompt 0 --work-ms 50'))],
      loop: { errorBackoffMs: 1500 },
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'restart-scheduled');
    fs.mkdirSync(path.join(root, 'orchestration', 'shared'), { recursive: true });
    fs.writeFileSync(path.join(root, 'orchestration', 'shared', 'STOP'), 'enough\n');
    await recorder.waitFor((event) => event.type === 'stopped');

    expect(recorder.of('stopped')[0].reason).toContain('STOP file present: enough');
    expect(recorder.of('started')).toHaveLength(1);
    expect(supervisor.getSnapshot().agents[0].state).toBe('stopped');
  });

  it('does not restart an agent once the best score in coordination.json reaches the target', async () => {
    const { root, supervisor, recorder } = launchSupervisor({
      targetScore: 1.2,
      agents: [agent(fakeClaudeCommand('--exit-after-prompt 0 --work-ms 50'))],
    });
    fs.mkdirSync(path.join(root, 'orchestration', 'shared'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'orchestration', 'shared', 'coordination.json'),
      JSON.stringify({
        best_scores: { in_budget: { score: 1.21, time_min: 55, experiment: 'cmaes_v9' } },
        workers: {},
      }),
    );
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'stopped');

    expect(recorder.of('stopped')[0].reason).toContain('target score reached');
    expect(recorder.of('restart-scheduled')).toHaveLength(0);
    expect(recorder.of('started')).toHaveLength(1);
  });

  it('nudges an agent that stays idle longer than idleNudgeMinutes, typing the nudge text', async () => {
    const { root, supervisor, recorder } = launchSupervisor({
      agents: [agent(fakeClaudeCommand('--silent'))],
      loop: { idleSeconds: 0.2, idleNudgeMinutes: 0.01 },
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'nudge');
    await recorder.waitFor((event) => event.type === 'state' && event.state === 'idle');

    expect(recorder.of('nudge')[0].reason).toMatch(/^idle for/);
    await waitUntil(() => readTranscript(root, 'W1').includes(`RECEIVED ${JSON.stringify(DEFAULT_NUDGE)} (paste)`));
  });

  it('nudges an agent that prints a wrap-up phrase once its output settles', async () => {
    const { root, supervisor, recorder } = launchSupervisor({
      agents: [agent(fakeClaudeCommand('--wrap-up --work-ms 600'))],
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'nudge');

    expect(recorder.of('nudge')[0].reason).toBe('wrap-up phrase "session complete"');
    await waitUntil(() => readTranscript(root, 'W1').includes(`RECEIVED ${JSON.stringify(DEFAULT_NUDGE)}`));
  });

  it('does not take the echo of its own prompt for a wrap-up phrase', async () => {
    // The echo window is readySettleMs after the Enter; 1 s keeps a loaded machine's slow echo inside it.
    const { root, supervisor, recorder } = launchSupervisor({
      agents: [agent(fakeClaudeCommand(), { prompt: { text: 'Never print Session complete.' } })],
      loop: { readySettleMs: 1000 },
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'prompt-delivered');
    await waitUntil(() => readTranscript(root, 'W1').includes('RECEIVED "Never print Session complete." (paste)'));
    // Well past the settle time after the echo.
    await sleep(1500);
    expect(recorder.of('nudge')).toHaveLength(0);
  });

  it('nudges an agent whose turn ends with a wrap-up phrase within the settle time of its prompt', async () => {
    // A turn that ends at once (its tool failed straight away): the summary comes inside the echo window.
    const { recorder, supervisor } = launchSupervisor({
      agents: [agent(fakeClaudeCommand('--wrap-up --work-ms 0'))],
      loop: { readySettleMs: 1000 },
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'nudge');

    expect(recorder.of('nudge')[0].reason).toBe('wrap-up phrase "session complete"');
  });

  it('tells a wrap-up phrase from the echo of a prompt holding the same phrase when both come at once', async () => {
    const { recorder, supervisor } = launchSupervisor({
      agents: [
        agent(fakeClaudeCommand('--wrap-up --work-ms 0'), { prompt: { text: 'Never print Session complete.' } }),
      ],
      loop: { readySettleMs: 1000 },
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'nudge');

    expect(recorder.of('nudge')[0].reason).toBe('wrap-up phrase "session complete"');
  });

  it("detects a permission question as needs-input, never nudges it, and passes the user's answer through", async () => {
    const { root, supervisor, recorder } = launchSupervisor({
      agents: [agent(fakeClaudeCommand('--ask'))],
      loop: { idleSeconds: 0.2, idleNudgeMinutes: 0.005 },
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'state' && event.state === 'needs-input');
    // Several idle-nudge periods (0.3 s each) pass while the question is on screen.
    await sleep(1200);
    expect(recorder.of('nudge')).toHaveLength(0);
    expect(supervisor.getSnapshot().agents[0].state).toBe('needs-input');

    supervisor.write('W1', 'y\r');
    await waitUntil(() => readTranscript(root, 'W1').includes('ANSWERED y'));
  });

  it('trusts the hook status file over the screen and output timing', async () => {
    const { root, supervisor, recorder } = launchSupervisor({
      agents: [agent(fakeClaudeCommand('--silent'))],
      loop: { idleSeconds: 0.2 },
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'state' && event.state === 'idle');

    // The supervisor made the agent's own folder; RALPH_STATUS_FILE names the file in it.
    const statusFile = path.join(root, '.ralph', 'agents', 'W1', 'status.json');
    fs.writeFileSync(statusFile, JSON.stringify({ state: 'PermissionRequest', time: new Date().toISOString() }));
    await recorder.waitFor((event) => event.type === 'state' && event.state === 'needs-input');
    fs.writeFileSync(statusFile, JSON.stringify({ state: 'working', time: Date.now() }));
    await recorder.waitFor((event) => event.type === 'state' && event.state === 'working');
    // Silent for far longer than idleSeconds, yet the hook says working.
    await sleep(600);
    expect(supervisor.getSnapshot().agents[0].state).toBe('working');
  });

  it('records every event in .ralph/events.jsonl with time, agent and type', async () => {
    const { root, supervisor, recorder } = launchSupervisor({
      agents: [agent(fakeClaudeCommand('--exit-after-prompt 0 --work-ms 50'))],
      loop: { errorBackoffMs: 5000 },
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'restart-scheduled');
    const lines = fs
      .readFileSync(path.join(root, '.ralph', 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));

    expect(lines.map((line) => line.type)).toEqual(
      expect.arrayContaining(['started', 'prompt-delivered', 'exit', 'restart-scheduled']),
    );
    for (const line of lines) {
      expect(line.agent).toBe('W1');
      expect(Number.isNaN(Date.parse(line.time))).toBe(false);
    }
    expect(lines.find((line) => line.type === 'restart-scheduled').reason).toContain('short session');
  });

  it('graceful stop creates STOP, lists running agents as draining until they exit, and restarts nobody', async () => {
    const watcher = `sh -c 'echo waiting; while [ ! -f orchestration/shared/STOP ]; do sleep 0.05; done; echo finishing'`;
    const { root, supervisor, recorder } = launchSupervisor({
      agents: [
        { id: 'W1', role: 'worker', kind: 'custom', command: watcher, prompt: 'off' },
        { id: 'W2', role: 'worker', kind: 'custom', command: fakeClaudeCommand('--silent'), prompt: 'off' },
      ],
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'started', 2);
    await supervisor.stopGraceful();

    expect(fs.existsSync(path.join(root, 'orchestration', 'shared', 'STOP'))).toBe(true);
    expect(supervisor.getSnapshot().stopping).toBe(true);
    await recorder.waitFor((event) => event.type === 'stopped' && event.agent === 'W1');
    // W1 read STOP and left; W2 ignores STOP and keeps running: it is what the drain waits for.
    expect(supervisor.getSnapshot().draining).toEqual(['W2']);
    await supervisor.stopForced();
    await recorder.waitFor((event) => event.type === 'drained');
    expect(supervisor.getSnapshot().draining).toEqual([]);
    expect(recorder.of('restart-scheduled')).toHaveLength(0);
  });

  it('an agent that kept running through a graceful stop is back in the loop once the stop is lifted: its exit restarts it', async () => {
    // Ignores STOP; leaves (exit 1) when the workspace has a file named `leave`.
    const stubborn = `sh -c 'echo up; while [ ! -f leave ]; do sleep 0.05; done; exit 1'`;
    const { root, supervisor, recorder } = launchSupervisor({
      agents: [{ id: 'W1', role: 'worker', kind: 'custom', command: stubborn, prompt: 'off' }],
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'started');
    await supervisor.stopGraceful();
    expect(supervisor.getSnapshot().draining).toEqual(['W1']);
    await supervisor.resume();
    expect(supervisor.getSnapshot().stopping).toBe(false);

    fs.writeFileSync(path.join(root, 'leave'), '');
    await recorder.waitFor((event) => event.type === 'restart-scheduled');
    expect(recorder.of('stopped')).toHaveLength(0);
    fs.rmSync(path.join(root, 'leave'));
    await recorder.waitFor((event) => event.type === 'started', 2);
  });

  it('follows STOP written by someone else: `ralph-tui stop --force` ends every agent now, `ralph-tui resume` starts them again', async () => {
    const { root, supervisor, recorder } = launchSupervisor({
      agents: [agent(fakeClaudeCommand('--silent'), { prompt: 'off' })],
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'started');

    expect((await runCli(['stop', '--force', '--workspace', root])).exitCode).toBe(0);
    await recorder.waitFor((event) => event.type === 'drained');
    expect(supervisor.getSnapshot().agents[0].state).toBe('stopped');
    expect(recorder.of('restart-scheduled')).toHaveLength(0);

    expect((await runCli(['resume', '--workspace', root])).exitCode).toBe(0);
    await recorder.waitFor((event) => event.type === 'started', 2);
    expect(recorder.of('restart')[0].reason).toBe('STOP cleared');
    expect(supervisor.getSnapshot().stopping).toBe(false);
  });

  it('restart on request cuts the session short without counting a failure', async () => {
    const { root, supervisor, recorder } = launchSupervisor({ agents: [agent(fakeClaudeCommand('--silent'))] });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'prompt-delivered');
    await supervisor.restart('W1');
    await recorder.waitFor((event) => event.type === 'prompt-delivered', 2);

    expect(recorder.of('restart-scheduled')).toHaveLength(0);
    expect(recorder.of('restart')[0].reason).toBe('requested by user');
    expect(supervisor.getSnapshot().agents[0].restarts).toBe(1);
    // The transcript is a write stream: on a loaded machine the second banner reaches the file a little later.
    await waitUntil(() => count(readTranscript(root, 'W1'), 'Welcome to') === 2);
  });

  it('refuses a second supervisor on the same workspace', async () => {
    const { root, config, supervisor } = launchSupervisor({ agents: [agent(fakeClaudeCommand('--silent'))] });
    await supervisor.start();
    const second = new Supervisor({ workspace: root, config });
    await expect(second.start()).rejects.toThrow(/another ralph-tui supervisor is running/);
  });

  it('an agent without a prompt that prints continuously is working, not stuck starting', async () => {
    const chatty = `'${process.execPath}' '${path.join(path.dirname(fakeClaude), 'chatty-agent.mjs')}' --rate 20000`;
    const { supervisor, recorder } = launchSupervisor({
      agents: [{ id: 'W1', role: 'worker', kind: 'custom', command: chatty, prompt: 'off' }],
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'state' && event.state === 'working');
    expect(supervisor.getSnapshot().agents[0].state).toBe('working');
  });

  it('pins a local agent with a cpuset to those CPUs (taskset)', async () => {
    const { root, supervisor, recorder } = launchSupervisor({
      agents: [
        {
          id: 'W1',
          role: 'worker',
          kind: 'custom',
          command: 'grep Cpus_allowed_list /proc/self/status',
          prompt: 'off',
          cpuset: '0',
        },
      ],
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'exit');
    expect(readTranscript(root, 'W1')).toMatch(/Cpus_allowed_list:\s+0\r?\n/);
  });

  it('puts ralph-tui on the PATH of local agents and tells them their workspace and id', async () => {
    const probe = `sh -c 'echo "ws=$RALPH_WORKSPACE id=$RALPH_AGENT_ID"; command -v ralph-tui'`;
    const { root, supervisor, recorder } = launchSupervisor({
      agents: [{ id: 'W3', role: 'worker', kind: 'custom', command: probe, prompt: 'off' }],
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'exit');
    const transcript = readTranscript(root, 'W3');
    expect(transcript).toContain(`ws=${root} id=W3`);
    expect(transcript).toContain(path.join(root, '.ralph', 'bin', 'ralph-tui'));
  });
});
