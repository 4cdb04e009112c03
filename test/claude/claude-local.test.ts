import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claudeWorkspace,
  HeadlessRun,
  onboardedOffline,
  ralphAsAgent,
  TEST_API_KEY,
  transcriptText,
} from '../helpers/claude-agent.js';
import { makeTempDir } from '../helpers/cli.js';
import { ScriptedModel, turnContext, type MessageBody } from '../helpers/scripted-model.js';
import { workerScript } from '../helpers/claude-scripts.js';
import { readStatusFile } from '../../src/supervisor/hook-status.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { sleep } from '../supervisor/workspace.js';

// The real Claude CLI (the dev dependency) under the real supervisor, as a non-root user, in the local runtime; its
// model is the scripted stand-in on localhost, so every tool call is a real Bash command in the workspace.

const WORKER_PROMPT = 'You are W1, a worker. Claim the next experiment, run it, record it in the queue and the log.';
const ORCHESTRATOR_PROMPT = 'You are W0, the orchestrator. Add one experiment to the queue.';

describe('Claude Code agents for real, local runtime (scripted model)', () => {
  const model = new ScriptedModel();
  beforeAll(async () => {
    await model.listen();
  });
  afterAll(async () => {
    await model.close();
  });

  it('a worker claims, runs, completes and logs an experiment through its Bash tool while the orchestrator adds one; wrap-up and idle nudges follow', async () => {
    model.setScript('W1', workerScript());
    model.setScript('W0', {
      waiting: 'The queue has work.',
      steps: [
        {
          reply: {
            text: 'Adding an experiment.',
            bash: 'ralph-tui queue add --name scripted_idea --family scripted --priority 4 --description "added by W0"',
          },
        },
        { reply: { text: 'Added one experiment.' } },
      ],
    });
    const root = await claudeWorkspace(makeTempDir('ralph-claude-'), {
      agents: [
        { id: 'W0', role: 'orchestrator', prompt: ORCHESTRATOR_PROMPT },
        { id: 'W1', role: 'worker', prompt: WORKER_PROMPT },
      ],
      baseUrl: (id) => model.baseUrl(id),
      loop: { idleSeconds: 3, idleNudgeMinutes: 0.2 },
    });
    expect(
      (await ralphAsAgent(root, ['queue', 'add', '--name', 'fast', '--priority', '0', '--description', 'tiny']))
        .exitCode,
    ).toBe(0);
    const run = new HeadlessRun(root, { ANTHROPIC_API_KEY: TEST_API_KEY });
    try {
      await run.waitFor(/W1 prompt delivered \(\d+ chars, bracketed paste\)/);
      await run.waitFor(/W0 prompt delivered/);
      await run.waitFor(/W1 nudged \(wrap-up phrase "session complete"\)/, 180_000);
      await run.waitFor(/W1 nudged \(idle for/, 60_000);
    } finally {
      await run.stop();
    }

    // The prompt arrived as one message (bracketed paste), the first thing the model was asked.
    expect(turnContext(model.turns('W1')[0]!.body as MessageBody).allUserText).toEqual([WORKER_PROMPT]);
    expect(model.played('W1')).toBe(4);
    // The wrap-up nudge is what the model heard next.
    expect(
      model.turns('W1').some((turn) => JSON.stringify(turn.body).includes('Continue: read ITERATION_LOG.md')),
    ).toBe(true);

    const queue = JSON.parse(fs.readFileSync(path.join(root, 'orchestration/shared/experiment_queue.json'), 'utf8'))
      .experiment_queue as { id: string; name: string; status: string; score?: number }[];
    expect(queue.find((entry) => entry.id === 'EXP_FAST_001')).toMatchObject({ status: 'completed' });
    expect(queue.find((entry) => entry.name === 'scripted_idea')).toMatchObject({
      status: 'available',
      family: 'scripted',
    });
    expect(fs.readFileSync(path.join(root, 'ITERATION_LOG.md'), 'utf8')).toMatch(
      /### \[W1\] Experiment: fast \| Score: \d\.\d+/,
    );
    expect(fs.readdirSync(path.join(root, 'experiments', 'fast', 'results')).length).toBe(1);

    // Claude Code's own hooks reported the states, in the file the supervisor reads.
    for (const id of ['W0', 'W1']) expect(readStatusFile(workspacePaths(root).agentStatus(id))).not.toBeNull();
    expect(run.matching(/W1 state working/).length).toBeGreaterThan(0);
    expect(run.matching(/W1 state idle/).length).toBeGreaterThan(0);
    const pane = transcriptText(root, 'W1');
    expect(pane).toContain('ralph-tui queue claim --worker W1');
    // The CLI folds tool output ("Ran 1 shell command"); the model's words about the run's score show.
    expect(pane).toMatch(/Scored \d\.\d+; recording it/);
    expect(
      model
        .turns('W1')
        .some((turn) => /Submission Score: \d\.\d+/.test(turnContext(turn.body as MessageBody).toolResult ?? '')),
    ).toBe(true);
    // No first-run screen was ever drawn: the config was seeded.
    expect(pane).not.toMatch(/trust this folder|Do you want to use this API key|Bypass Permissions mode/);
  }, 300_000);

  it('the permission dialog of a non-bypass agent reads as needs-input (from the hook) and is never nudged', async () => {
    model.setScript('W1', { steps: [{ reply: { text: 'I have to create a file.', bash: 'touch made-by-agent' } }] });
    const root = await claudeWorkspace(makeTempDir('ralph-claude-'), {
      agents: [{ id: 'W1', role: 'worker', prompt: WORKER_PROMPT, args: '--permission-mode default' }],
      baseUrl: (id) => model.baseUrl(id),
      // Nudges would be due every 6 s if the agent counted as idle.
      loop: { idleSeconds: 2, idleNudgeMinutes: 0.1 },
    });
    const run = new HeadlessRun(root, { ANTHROPIC_API_KEY: TEST_API_KEY });
    try {
      await run.waitFor(/W1 state needs-input/);
      expect(readStatusFile(workspacePaths(root).agentStatus('W1'))?.state).toBe('needs-input');
      await sleep(12_000);
    } finally {
      await run.stop();
    }
    // Nudges before the dialog (a loaded machine can leave the CLI quiet for 6 s) are not the point; after it, none.
    const asked = run.lines.findIndex((line) => /W1 state needs-input/.test(line));
    expect(run.lines.slice(asked).filter((line) => /W1 nudged/.test(line))).toEqual([]);
    expect(fs.existsSync(path.join(root, 'made-by-agent'))).toBe(false);
    expect(transcriptText(root, 'W1')).toContain('Do you want to proceed?');
  }, 180_000);

  it('a crashed CLI is restarted and its prompt delivered again; STOP lets it finish and the supervisor exits', async () => {
    model.setScript('W1', {
      waiting: 'Waiting.',
      steps: [
        { reply: { text: 'Crashing now.', bash: 'kill -KILL $PPID' } },
        { when: (turn) => turn.userText.includes(WORKER_PROMPT), reply: { text: 'Back after a restart.' } },
        {
          when: (turn) => turn.userText.startsWith('Continue'),
          reply: { text: 'Checking for STOP.', bash: 'test -f orchestration/shared/STOP && echo STOP-present' },
        },
        {
          when: (turn) => (turn.toolResult ?? '').includes('STOP-present'),
          reply: { text: 'STOP is set: finishing.', bash: 'kill -TERM $PPID' },
        },
      ],
    });
    const root = await claudeWorkspace(makeTempDir('ralph-claude-'), {
      agents: [{ id: 'W1', role: 'worker', prompt: WORKER_PROMPT }],
      baseUrl: (id) => model.baseUrl(id),
      loop: { idleSeconds: 2, idleNudgeMinutes: 0.1 },
    });
    const run = new HeadlessRun(root, { ANTHROPIC_API_KEY: TEST_API_KEY });
    try {
      await run.waitFor(/W1 (exited with code|killed by)/);
      await run.waitFor(/W1 restarting \(restart 1\)|W1 restart 1/);
      expect(await waitForCount(run, /W1 prompt delivered/, 2)).toBe(2);
      await run.waitFor(/W1 state idle/);
      expect((await ralphAsAgent(root, ['stop'])).exitCode).toBe(0);
      await run.waitFor(/W1 stopped \(STOP file present/, 120_000);
      await run.waitFor(/shutting down \(every agent stopped\)/);
      expect(await run.exited).toBe(0);
    } finally {
      await run.stop();
    }
    expect(model.played('W1')).toBe(4);
  }, 240_000);

  it('the prompt waits while a first-run screen or a missing login shows: needs-input and needs-login, nothing sent to the model', async () => {
    model.setScript('W1', { steps: [] });
    model.setScript('W2', { steps: [] });
    const root = await claudeWorkspace(makeTempDir('ralph-claude-'), {
      agents: [
        { id: 'W1', role: 'worker', prompt: WORKER_PROMPT, extra: { claudeOnboarding: 'off' } },
        // W2 has no key: a subscription user who has not logged in yet.
        {
          id: 'W2',
          role: 'worker',
          prompt: WORKER_PROMPT,
          extra: { env: { ANTHROPIC_BASE_URL: model.baseUrl('W2'), ANTHROPIC_API_KEY: '' } },
        },
      ],
      baseUrl: (id) => model.baseUrl(id),
      // The prompt would be forced after 5 s if screens did not hold it.
      loop: { readyTimeoutMs: 5000 },
    });
    onboardedOffline(root, 'W1');
    const run = new HeadlessRun(root, { ANTHROPIC_API_KEY: TEST_API_KEY });
    try {
      await run.waitFor(/W1 state needs-input/);
      await run.waitFor(/W2 state needs-login/);
      await sleep(10_000);
    } finally {
      await run.stop();
    }
    expect(run.matching(/prompt delivered/)).toEqual([]);
    expect(model.turns('W1')).toEqual([]);
    expect(model.turns('W2')).toEqual([]);
    expect(transcriptText(root, 'W1')).toContain('Yes, I trust this folder');
    expect(transcriptText(root, 'W2')).toContain('W2 needs a Claude login: attach (Enter on its tab), type /login');
  }, 180_000);
});

async function waitForCount(run: HeadlessRun, pattern: RegExp, count: number, timeoutMs = 90_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (run.matching(pattern).length < count && Date.now() < deadline) await sleep(200);
  return run.matching(pattern).length;
}
