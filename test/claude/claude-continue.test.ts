import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeWorkspace, HeadlessRun, processArgs, TEST_API_KEY } from '../helpers/claude-agent.js';
import { makeTempDir } from '../helpers/cli.js';
import { ScriptedModel, turnContext, type MessageBody } from '../helpers/scripted-model.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { sleep, waitUntil } from '../supervisor/workspace.js';

// The real Claude CLI under `ralph-tui up --headless`, local runtime, when the supervisor itself dies (kill -9): the
// next supervisor starts the agent with `claude --continue`, so the model hears the same conversation go on.

const PROMPT = 'You are W1, a worker. Remember the word PELICAN.';
const NUDGE = 'Continue: read ITERATION_LOG.md and the queue';
const CONTINUED = /W1 started \(pid (\d+); continued: same conversation, prompt not pasted again\)/;

describe('Claude Code agent after its supervisor died, local runtime (scripted model)', () => {
  const model = new ScriptedModel();
  beforeAll(async () => {
    await model.listen();
  });
  afterAll(async () => {
    await model.close();
  });

  it('kill -9 of the supervisor → the next one continues the conversation without pasting the prompt; with nothing to continue it starts fresh, with the prompt', async () => {
    model.setScript('W1', { waiting: 'Waiting.', steps: [{ reply: { text: 'Noted: the word is PELICAN.' } }] });
    const root = await claudeWorkspace(makeTempDir('ralph-claude-'), {
      agents: [{ id: 'W1', role: 'worker', prompt: PROMPT }],
      baseUrl: (id) => model.baseUrl(id),
      // No idle nudge within the test: the only nudge is the one a continued conversation gets once it is ready.
      loop: { idleSeconds: 2, idleNudgeMinutes: 30 },
    });
    const env = { ANTHROPIC_API_KEY: TEST_API_KEY };

    // Given an agent whose prompt was delivered and answered,
    const first = new HeadlessRun(root, env);
    try {
      await first.waitFor(/W1 prompt delivered/);
      await first.waitFor(/W1 state idle/);
      expect(model.played('W1')).toBe(1);
      // when the whole service dies at once,
      const survivors = await crash(first);
      // (what the pty's hang-up alone leaves running: nothing, the CLI exits on SIGHUP)
      expect(survivors).toEqual([]);
    } finally {
      await first.stop();
    }

    // then the next supervisor starts it with --continue and does not paste the prompt,
    model.setScript('W1', {
      waiting: 'Waiting.',
      steps: [{ when: (turn) => turn.userText.startsWith('Continue'), reply: { text: 'Still here: PELICAN.' } }],
    });
    const second = new HeadlessRun(root, env);
    try {
      const pid = Number(CONTINUED.exec(await second.waitFor(CONTINUED))![1]);
      expect(await argvOnceExeced(pid)).toContain('--continue');
      await second.waitFor(/W1 nudged \(conversation continued after the supervisor restarted\)/, 120_000);
      await waitUntil(() => model.played('W1') === 1);
      expect(second.matching(/W1 prompt delivered/)).toEqual([]);
      // and the model's next request (the nudge it got once ready) carries the earlier conversation: the prompt and
      // its answer, then the nudge.
      const body = model.turns('W1')[0]!.body as MessageBody;
      expect(turnContext(body).allUserText[0]).toBe(PROMPT);
      expect(turnContext(body).userText).toContain(NUDGE);
      expect(JSON.stringify(body.messages!.filter((message) => message.role === 'assistant'))).toContain(
        'Noted: the word is PELICAN.',
      );
      expect(await crash(second)).toEqual([]);
    } finally {
      await second.stop();
    }
    const started = fs
      .readFileSync(workspacePaths(root).events, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; reason?: string })
      .filter((event) => event.type === 'started');
    expect(started.map((event) => event.reason)).toEqual([
      undefined,
      'continued: same conversation, prompt not pasted again',
    ]);

    // Given Claude has nothing to continue (its conversations gone), a continued start fails once (exit 1), then
    // the restart is a fresh conversation with the prompt: not a loop of continues.
    fs.rmSync(path.join(root, '.ralph', 'claude', 'W1', 'projects'), { recursive: true, force: true });
    model.setScript('W1', { waiting: 'Waiting.', steps: [{ reply: { text: 'A fresh start.' } }] });
    const third = new HeadlessRun(root, env);
    try {
      await third.waitFor(CONTINUED);
      await third.waitFor(/W1 exited with code 1/);
      await third.waitFor(/W1 prompt delivered/, 120_000);
      await waitUntil(() => model.played('W1') === 1);
      expect(third.matching(CONTINUED)).toHaveLength(1);
      expect(third.matching(/W1 started/)).toHaveLength(2);
      expect(turnContext(model.turns('W1')[0]!.body as MessageBody).allUserText).toEqual([PROMPT]);
    } finally {
      await third.stop();
    }
  }, 420_000);
});

/**
 * kill -9 of the supervisor, then of its agents' process groups as a crash of the whole service (a reboot) would
 * take them; resolves with the agent pids the supervisor's death alone had left running.
 */
async function crash(run: HeadlessRun): Promise<number[]> {
  const agents = run.matching(/ started \(pid \d+/).map((line) => Number(/\(pid (\d+)/.exec(line)![1]));
  process.kill(run.supervisorPid(), 'SIGKILL');
  await run.exited;
  await sleep(2000);
  const survivors = agents.filter((pid) => processArgs(pid).length > 0);
  for (const pid of agents) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone with its pty.
    }
  }
  return survivors;
}

/** The agent's argv once its shell has exec'd the CLI (`sh -c … exec claude …` keeps the pid). */
async function argvOnceExeced(pid: number): Promise<string[]> {
  await waitUntil(() => /\/claude(\.exe)?$/.test(processArgs(pid)[0] ?? ''));
  return processArgs(pid);
}
